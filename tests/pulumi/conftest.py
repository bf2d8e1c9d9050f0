"""Runs the Pulumi program once under mocks (no CLI, no cloud) and shares what it registered."""

from __future__ import annotations

import json
import sys

import pulumi
import pytest

from tests.pulumi.mocks import Resources
from tests.pulumi.program import PROGRAM, run_under_mocks, stack_config

# `pulumi up` runs the program from its folder; the tests import its package the same way.
if str(PROGRAM) not in sys.path:
    sys.path.insert(0, str(PROGRAM))

from ior_stack.config import PortalConfig, StackConfig
from ior_stack.stack import build

TEST_CONFIG = StackConfig(
    environment="test",
    cost_centre="cc-1234",
    lambda_timeout_seconds=90,
    lambda_memory_mb=768,
    batch_size=7,
    maximum_concurrency=4,
    log_retention_days=14,
    portal=PortalConfig(
        oidc_issuer="https://login.microsoftonline.com/tenant-1/v2.0",
        oidc_audience="api://ior-portal",
        oidc_client_id="client-1",
        session_secret="x" * 40,
    ),
)


@pytest.fixture(scope="session")
def config() -> StackConfig:
    return TEST_CONFIG


@pytest.fixture(scope="session")
def resources(config: StackConfig) -> Resources:
    return run_under_mocks(lambda: build(config))


@pytest.fixture
def pulumi_config():
    """Loads a stack file into Pulumi's runtime config, as the CLI would, and clears it after."""

    def load(stack: str, **extra: str) -> None:
        """`extra`: keys set on top of the stack file, as `pulumi config set` would."""
        values = {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in {**stack_config(stack), **extra}.items()
        }
        pulumi.runtime.set_all_config(values)

    yield load
    pulumi.runtime.set_all_config({})
