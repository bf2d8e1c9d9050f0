"""The dependency layer the functions deploy with: built for the Lambda platform of the deployed
runtime, within Lambda's 250 MB, and enough on its own for every service to load.

The build reuses the wheelhouse of `scripts/lambda_layer.py` (~/.cache/ior-lambda-wheels): about
12 s once the wheels are there, about a minute the first time (downloads from PyPI). Without PyPI
and without the wheels, the tests are skipped, saying so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import lambda_layer

# pip's words when it cannot reach an index at all (not when the index has no matching wheel).
OFFLINE = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure")
RUNTIME_NAME = lambda_layer.deployed_runtime()
RUNTIME = lambda_layer.RUNTIMES[RUNTIME_NAME]

# With only the layer and the functions' code on the path (no site-packages): every service's app
# and the Lambda adapter load, and the compiled libraries they use work on this Python.
LOAD_AS_LAMBDA = """
import importlib, io, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from services.runtime.context import SERVICE_NAMES
import services.runtime.messaging.lambda_adapter
for name in SERVICE_NAMES:
    importlib.import_module(f"services.{name}.app")
import numpy, pyarrow as pa, pyarrow.parquet as pq, pycountry, rapidfuzz.fuzz
buffer = io.BytesIO()
pq.write_table(pa.table({"x": numpy.arange(3)}), buffer)
assert pq.read_table(io.BytesIO(buffer.getvalue())).num_rows == 3
assert pycountry.countries.get(alpha_2="CN") is not None
print("loaded", len(SERVICE_NAMES), "services")
"""


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("lambda-layer")
    wheels = lambda_layer.default_wheelhouse(RUNTIME_NAME)
    try:
        return lambda_layer.build(target, RUNTIME, wheels)
    except lambda_layer.LayerBuildFailed as exc:
        if any(word in str(exc) for word in OFFLINE):
            pytest.skip(f"PyPI is out of reach and {wheels} lacks wheels: {str(exc)[-300:]}")
        raise


def test_layer_and_code_fit_lambdas_unzipped_limit(layer: Path):
    size = lambda_layer.measure(layer)
    print(lambda_layer.report(size))
    assert size.fits, lambda_layer.report(size)


def test_layer_holds_no_emulator_and_no_dev_tool(layer: Path):
    installed = {path.name.split("-")[0].lower() for path in layer.glob("*.dist-info")}
    assert installed.isdisjoint({"moto", "pytest", "mypy", "ruff", "pulumi", "hypothesis"})
    assert {"pyarrow", "numpy", "aiobotocore", "pydantic"} <= installed


def test_every_service_loads_from_the_layer_alone_on_the_runtimes_python(layer: Path):
    version = RUNTIME.python_version
    python = runtime_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here to load the {RUNTIME_NAME} layer with")
    result = subprocess.run(
        [python, "-S", "-c", LOAD_AS_LAMBDA, str(layer), str(lambda_layer.ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]


def runtime_python(version: str) -> str | None:
    """An interpreter of the runtime's Python version: on the PATH or installed by pyenv."""
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(
        str(path) for path in Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}")
    )
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == version:
            return candidate
    return None
