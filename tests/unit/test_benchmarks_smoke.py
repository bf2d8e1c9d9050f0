"""The benchmarks are not run by CI; these checks keep them from rotting as the services change."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(
    ".".join(path.relative_to(REPO).with_suffix("").parts)
    for path in (REPO / "benchmarks").rglob("*.py")
    if path.name != "__init__.py"
)


@pytest.mark.parametrize("module", MODULES)
def test_benchmark_module_imports(module):
    importlib.import_module(module)


def test_generator_writes_every_feed_for_a_small_batch(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", "--lines", "100", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    feeds = {path.name.split("-")[0] for path in tmp_path.glob("*.json")}
    assert feeds == {
        "ZEMM004",
        "ZEMM005",
        "ZEMM006",
        "ZEMM007",
        "ZFMIOR002",
        "ZFMIOR003",
        "ZSDR002",
        "ZSDR010",
    }
