"""The folders tell the architecture, and the imports keep it so.

Services import only `contracts` and `services.runtime`, which keeps them independent; the runtime
imports no service; the entry points reach services only through the runtime (which loads each
service's app builder by name); `contracts` import nothing of ior. Every module of those packages
is under one of the rules, so a new folder cannot slip past them.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
SERVICE_PACKAGES = sorted(
    p.name
    for p in SERVICES.iterdir()
    if p.is_dir() and (p / "__init__.py").exists() and p.name != "runtime"
)
OURS = {"contracts", "services", "entrypoints", "ior_stack"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(_from_import(node.module, [alias.name for alias in node.names]))
    return {name for name in names if name.split(".")[0] in OURS}


def _from_import(module: str, names: list[str]) -> set[str]:
    """`from services.runtime import x` names the module `services.runtime.x` when x is one."""
    found = {module}
    for name in names:
        dotted = f"{module}.{name}"
        as_path = ROOT.joinpath(*dotted.split("."))
        if as_path.with_suffix(".py").exists() or (as_path / "__init__.py").exists():
            found.add(dotted)
    return found


def modules_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def offending(folder: Path, allowed: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in modules_of(folder)
        for module in imported_modules(path)
        if not module.startswith(allowed) and module not in {"services", "entrypoints"}
    )


@pytest.mark.parametrize("package", SERVICE_PACKAGES)
def test_service_imports_only_contracts_and_runtime(package):
    allowed = ("contracts", "services.runtime", f"services.{package}")
    assert offending(SERVICES / package, allowed) == []


def test_runtime_imports_no_service_and_no_entry_point():
    assert offending(SERVICES / "runtime", ("contracts", "services.runtime")) == []


@pytest.mark.parametrize(
    ("layer", "below"),
    [
        ("aws", ("services.runtime.aws", "services.runtime.errors", "services.runtime.settings")),
        ("operations", ("services.runtime.aws", "services.runtime.operations")),
    ],
)
def test_runtime_layers_look_only_downwards(layer, below):
    """AWS adapters know nothing of consuming messages; operations tools consume nothing."""
    allowed = ("contracts", "services.runtime.errors", "services.runtime.settings", *below)
    assert offending(SERVICES / "runtime" / layer, allowed) == []


def test_entry_points_reach_services_only_through_the_runtime():
    allowed = ("contracts", "services.runtime", "entrypoints")
    assert offending(ROOT / "entrypoints", allowed) == []


def test_contracts_import_nothing_of_ior():
    assert offending(ROOT / "contracts", ("contracts",)) == []


def test_the_stack_imports_only_contracts():
    assert offending(ROOT / "pulumi", ("contracts", "ior_stack")) == []


def test_every_module_is_under_a_rule():
    ruled = {SERVICES / package for package in SERVICE_PACKAGES} | {
        SERVICES / "runtime",
        ROOT / "entrypoints",
        ROOT / "contracts",
    }
    loose = [
        path.relative_to(ROOT)
        for folder in (SERVICES, ROOT / "entrypoints", ROOT / "contracts")
        for path in modules_of(folder)
        if not any(path.is_relative_to(rule) for rule in ruled) and path != SERVICES / "__init__.py"
    ]
    assert loose == []
