"""Integration tests run against the embedded emulator (moto server), provisioned by the same
provisioner the product uses; every test starts from a freshly reset and provisioned emulator."""

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
import urllib3
from fastapi.testclient import TestClient

from services.runtime.context import RuntimeContext
from services.runtime.operations import provision
from services.runtime.operations.emulator import embedded_emulator
from services.runtime.settings import Settings
from tests.oidc_issuer import InTestIssuer
from tests.portal_app import portal_client

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    with embedded_emulator() as endpoint:
        yield endpoint


@pytest.fixture
def settings(emulator: str) -> Settings:
    urllib3.request("POST", f"{emulator}/moto-api/reset")
    return replace(
        Settings.from_env().on_emulator(emulator),
        receive_wait_seconds=1,
        visibility_heartbeat_seconds=1,
    )


@pytest.fixture
def context(settings: Settings) -> RuntimeContext:
    ctx = RuntimeContext.from_settings(settings)
    provision.apply(ctx.clients)
    return ctx


@pytest.fixture
def make_context(settings: Settings) -> Callable[..., RuntimeContext]:
    """A context with some settings changed (limits, thresholds), on the provisioned emulator."""

    def make(**changes: object) -> RuntimeContext:
        ctx = RuntimeContext.from_settings(replace(settings, **changes))
        provision.apply(ctx.clients)
        return ctx

    return make


def fresh_context(emulator: str) -> RuntimeContext:
    """The emulator reset and provisioned, for fixtures that run a whole chain once per module."""
    urllib3.request("POST", f"{emulator}/moto-api/reset")
    settings = replace(Settings.from_env().on_emulator(emulator), receive_wait_seconds=1)
    context = RuntimeContext.from_settings(settings)
    provision.apply(context.clients)
    return context


@pytest.fixture
def issuer() -> InTestIssuer:
    """An OIDC issuer in the test: its own keys, JWKS and tokens."""
    return InTestIssuer()


@pytest.fixture
def client(context: RuntimeContext, issuer: InTestIssuer) -> Iterator[TestClient]:
    """The portal's app on a fresh provisioned emulator, trusting `issuer`."""
    with portal_client(context, issuer) as test_client:
        yield test_client
