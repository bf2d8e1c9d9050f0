"""Build the functions' dependency layer for the Lambda platform and check that it fits.

    .venv/bin/python -m scripts.lambda_layer [--target build/lambda-deps] [--runtime python3.12]

Installs the runtime dependencies of `pyproject.toml` at the versions of `requirements.lock` as
wheels for the Lambda runtime's Python and glibc (x86_64) into TARGET/python/ (the layer folder
the Pulumi program uploads, `ior:dependenciesDir`), leaves out what the functions never load, and
prints the unzipped size per distribution, the functions' own code and the total against Lambda's
limit of 250 MB (function and layers unzipped). Exits 1 when the total is over the limit, 2 when
pip fails. The wheels are kept in a wheelhouse (`--wheels`, default
~/.cache/ior-lambda-wheels/RUNTIME): a rebuild installs from it without the network in seconds,
and downloads only when the lock asks for a wheel it does not hold.

What is left out, and why:
- `moto` (and what only it needs): the embedded emulator of `ior demo`; a function talks to AWS.
- `uvicorn`: the server of `ior serve`; the portal API's function runs the app through Mangum.
- Nothing that Lambda's runtime provides: its boto3/botocore do not match the botocore range that
  aiobotocore pins, and a layer's packages come first on the functions' `sys.path` anyway.
- Inside packages, files no function reads (`TRIMMED`): test suites, C/C++ headers and Cython
  sources, Arrow Flight (RPC), and pycountry's translations (ior reads country codes only).
  (pyarrow's core library links Substrait's, so that stays.)
- Bytecode: pip would compile it for the Python that runs pip, not the runtime's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
# The functions' own code (pulumi/ior_stack/functions.SOURCE_PACKAGES).
SOURCE_PACKAGES = ("contracts", "services")
LIMIT_BYTES = 250 * 1024 * 1024  # Lambda quota: 262,144,000 bytes unzipped, function + layers
MB = 1024 * 1024

NOT_IN_LAMBDA = {
    "moto": "the embedded emulator of `ior demo`",
    "uvicorn": "the server of `ior serve`; a function runs the portal app through Mangum",
}
TRIMMED = (
    "*/tests",
    "*/*/tests",
    "*/*/*/tests",
    "pyarrow/include",
    "pyarrow/src",
    "pyarrow/*.pyx",
    "pyarrow/*.pxd",
    "pyarrow/_pyarrow_cpp_tests.*",
    "pyarrow/*flight*",
    "numpy/_core/include",
    "pycountry/locales",
)


@dataclass(frozen=True)
class LambdaRuntime:
    """A Lambda Python runtime: its Python and the glibc of its Amazon Linux."""

    python_version: str
    glibc_minor: int

    def platforms(self) -> list[str]:
        """Every manylinux tag whose wheels run on this glibc (x86_64)."""
        tags = [f"manylinux_2_{minor}_x86_64" for minor in range(17, self.glibc_minor + 1)]
        return ["manylinux2014_x86_64", *tags]


# python3.11 runs on Amazon Linux 2 (glibc 2.26), python3.12 and later on Amazon Linux 2023 (2.34).
RUNTIMES = {
    "python3.11": LambdaRuntime("3.11", 26),
    "python3.12": LambdaRuntime("3.12", 34),
    "python3.13": LambdaRuntime("3.13", 34),
}


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The project's runtime dependencies (no dev extras) that a function loads."""
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    return [spec for spec in declared if _name(spec) not in NOT_IN_LAMBDA]


def _name(spec: str) -> str:
    found = re.match(r"[A-Za-z0-9._-]+", spec)
    assert found, spec
    return found.group(0).lower().replace("_", "-")


def pip_install(python_dir: Path, wheels: Path, runtime: LambdaRuntime) -> list[str]:
    """Installs from the wheelhouse alone (no index): fails when a wheel is missing."""
    offline = ["--no-index", "--find-links", str(wheels)]
    return _pip("install", ["--no-compile", "--target", str(python_dir), *offline], runtime)


def pip_download(wheels: Path, runtime: LambdaRuntime) -> list[str]:
    return _pip("download", ["--dest", str(wheels)], runtime)


def _pip(verb: str, where: list[str], runtime: LambdaRuntime) -> list[str]:
    platforms = [flag for tag in runtime.platforms() for flag in ("--platform", tag)]
    wheels_for_runtime = ["--implementation", "cp", "--python-version", runtime.python_version]
    return [
        *(sys.executable, "-m", "pip", verb, "--quiet", *where),
        *(*wheels_for_runtime, "--only-binary=:all:", *platforms),
        *("-c", str(LOCK), *runtime_requirements()),
    ]


class LayerBuildFailed(Exception):
    """pip could not install the dependencies for the runtime; carries pip's output."""


def build(target: Path, runtime: LambdaRuntime, wheels: Path) -> Path:
    """A fresh layer in `target/python`; returns that folder."""
    python_dir = target / "python"
    shutil.rmtree(python_dir, ignore_errors=True)
    if _run(pip_install(python_dir, wheels, runtime)) is not None:
        shutil.rmtree(python_dir, ignore_errors=True)
        failed = _run(pip_download(wheels, runtime))
        if failed is not None:
            raise LayerBuildFailed(
                f"{failed}\nno wheel of a locked version for Python {runtime.python_version} on "
                f"glibc 2.{runtime.glibc_minor} (x86_64), or PyPI is out of reach"
            )
        failed = _run(pip_install(python_dir, wheels, runtime))
        if failed is not None:
            raise LayerBuildFailed(failed)
    trim(python_dir)
    return python_dir


def _run(command: list[str]) -> str | None:
    """None when the command succeeds, else what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return None
    lines = (result.stderr + result.stdout).splitlines()
    return "\n".join(line for line in lines if "is ignored" not in line)


def trim(python_dir: Path, patterns: Iterable[str] = TRIMMED) -> None:
    for pattern in patterns:
        for path in python_dir.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


@dataclass(frozen=True)
class LayerSize:
    by_distribution: Mapping[str, int]
    code_bytes: int

    @property
    def total(self) -> int:
        return sum(self.by_distribution.values()) + self.code_bytes

    @property
    def fits(self) -> bool:
        return self.total <= LIMIT_BYTES


def measure(python_dir: Path, root: Path = ROOT) -> LayerSize:
    """Unzipped bytes per distribution (files under a top-level name its RECORD lists)."""
    owner = _owners(python_dir)
    sizes: Counter[str] = Counter()
    for path in _files(python_dir):
        top = path.relative_to(python_dir).parts[0]
        sizes[owner.get(top, top)] += path.stat().st_size
    code = sum(
        path.stat().st_size
        for package in SOURCE_PACKAGES
        for path in _files(root / package)
        if "__pycache__" not in path.parts
    )
    return LayerSize(dict(sizes), code)


def _owners(python_dir: Path) -> dict[str, str]:
    """Top-level file or folder → the distribution that installed it."""
    owners: dict[str, str] = {}
    for record in python_dir.glob("*.dist-info/RECORD"):
        distribution = record.parent.name.split("-")[0].lower().replace("_", "-")
        for line in record.read_text(encoding="utf-8").splitlines():
            top = line.split(",", 1)[0].split("/", 1)[0]
            if top and not top.startswith(".."):
                owners.setdefault(top, distribution)
    return owners


def _files(folder: Path) -> Iterable[Path]:
    return (path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def report(size: LayerSize) -> str:
    rows = sorted(size.by_distribution.items(), key=lambda item: (-item[1], item[0]))
    rows.append(("(functions' code: " + ", ".join(SOURCE_PACKAGES) + ")", size.code_bytes))
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {bytes_ / MB:8.1f} MB" for name, bytes_ in rows]
    verdict = "fits" if size.fits else f"OVER by {(size.total - LIMIT_BYTES) / MB:.1f} MB"
    lines.append(
        f"{'total':<{width}}  {size.total / MB:8.1f} MB  of {LIMIT_BYTES / MB:.0f} MB: {verdict}"
    )
    return "\n".join(lines)


def default_wheelhouse(runtime_name: str) -> Path:
    return Path.home() / ".cache" / "ior-lambda-wheels" / runtime_name


def deployed_runtime() -> str:
    """The runtime the Pulumi program deploys the functions on."""
    sys.path.insert(0, str(ROOT / "pulumi"))
    from ior_stack.functions import RUNTIME  # noqa: PLC0415 - the program's folder is not a package

    return str(RUNTIME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=ROOT / "build" / "lambda-deps")
    parser.add_argument(
        "--runtime", choices=sorted(RUNTIMES), help="default: the Pulumi program's runtime"
    )
    parser.add_argument("--wheels", type=Path, help="wheelhouse (default: see above)")
    args = parser.parse_args(argv)
    runtime_name = args.runtime or deployed_runtime()
    wheels = args.wheels or default_wheelhouse(runtime_name)
    try:
        python_dir = build(args.target, RUNTIMES[runtime_name], wheels)
    except LayerBuildFailed as exc:
        print(f"error: pip could not build the layer for {runtime_name}:\n{exc}", file=sys.stderr)
        return 2
    size = measure(python_dir)
    print(f"Lambda layer for {runtime_name} in {python_dir}")
    print(report(size))
    return 0 if size.fits else 1


if __name__ == "__main__":
    sys.exit(main())
