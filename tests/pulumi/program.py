"""Where the Pulumi program is, its stack files, and running it under recording mocks."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import yaml

from tests.pulumi.mocks import RecordingMocks, Resources

PROGRAM = Path(__file__).resolve().parents[2] / "pulumi"


def stack_config(stack: str) -> dict[str, Any]:
    """The `config:` section of `pulumi/Pulumi.<stack>.yaml`."""
    return yaml.safe_load((PROGRAM / f"Pulumi.{stack}.yaml").read_text())["config"]


def run_under_mocks(program: Callable[[], object]) -> Resources:
    """Runs `program` with fresh recording mocks and returns what it registered."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="ior", stack="test", preview=False)

    @pulumi.runtime.test
    def run() -> None:
        program()

    with warnings.catch_warnings():
        # pulumi_aws warns about its own deprecated classes as each of its modules first loads.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pulumi_aws\.")
        run()
    return Resources(mocks.resources)
