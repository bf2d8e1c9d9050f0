"""Services import only `contracts` and `services.runtime`: that keeps them independent."""

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
SERVICE_PACKAGES = sorted(
    p.name for p in SERVICES.iterdir() if p.is_dir() and (p / "__init__.py").exists()
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def own_imports(package: str) -> set[str]:
    modules: set[str] = set()
    for path in (SERVICES / package).rglob("*.py"):
        modules |= {
            m for m in imported_modules(path) if m.split(".")[0] in {"services", "contracts"}
        }
    return modules


@pytest.mark.parametrize("package", [p for p in SERVICE_PACKAGES if p != "runtime"])
def test_service_imports_only_contracts_and_runtime(package):
    allowed = ("contracts", "services.runtime", f"services.{package}")
    offending = sorted(m for m in own_imports(package) if not m.startswith(allowed))
    assert offending == []


def test_runtime_imports_no_service():
    offending = sorted(
        m for m in own_imports("runtime") if not m.startswith(("contracts", "services.runtime"))
    )
    assert offending == []


def test_contracts_import_nothing_of_services():
    root = SERVICES.parent / "contracts"
    for path in root.rglob("*.py"):
        assert not any(m.startswith("services") for m in imported_modules(path)), path
