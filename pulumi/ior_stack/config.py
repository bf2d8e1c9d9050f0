"""The stack's knobs, read once from Pulumi config (namespace `ior`) into one typed object.

Defaults live here and nowhere else; `build()` takes the object, so tests construct it directly
instead of going through Pulumi's config machinery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

REPO_ROOT = Path(__file__).resolve().parents[2]

# AWS accepts 2..1000 concurrent invocations per SQS event source mapping.
_CONCURRENCY_RANGE = range(2, 1001)
# Above 10 messages per batch AWS requires a batching window, which ior does not configure.
_BATCH_SIZE_RANGE = range(1, 11)
# StackConfig field -> whole-number key in the stack file.
_INT_KEYS = {
    "lambda_timeout_seconds": "lambdaTimeoutSeconds",
    "lambda_memory_mb": "lambdaMemoryMb",
    "batch_size": "batchSize",
    "maximum_concurrency": "maximumConcurrency",
    "log_retention_days": "logRetentionDays",
}


@dataclass(frozen=True)
class PortalConfig:
    oidc_issuer: str
    oidc_audience: str
    oidc_client_id: str
    session_secret: pulumi.Input[str]  # a Pulumi secret (`pulumi config set --secret`)
    oidc_roles_claim: str = "roles"


class StackConfigError(ValueError):
    """A stack config value is outside what AWS accepts; fix it with `pulumi config set`."""


@dataclass(frozen=True)
class StackConfig:
    environment: str
    cost_centre: str
    lambda_timeout_seconds: int = 120
    lambda_memory_mb: int = 1024
    batch_size: int = 10
    maximum_concurrency: int = 5
    log_retention_days: int = 30
    # AWS service -> endpoint for the functions' own SDK calls (AWS_ENDPOINT_URL_<SERVICE>), for
    # emulators the functions cannot reach through the defaults, e.g. DynamoDB Local.
    lambda_endpoints: Mapping[str, str] = field(default_factory=dict)
    source_root: Path = REPO_ROOT
    dependencies_dir: Path = REPO_ROOT / "build" / "lambda-deps"
    # The portal's sign-in (Entra ID: https://login.microsoftonline.com/<tenant>/v2.0); the HTTP
    # API and its JWT authorizer are built only when an issuer is set.
    portal: PortalConfig | None = None

    def __post_init__(self) -> None:
        if self.maximum_concurrency not in _CONCURRENCY_RANGE:
            raise StackConfigError(
                f"ior:maximumConcurrency={self.maximum_concurrency} must be between 2 and 1000"
            )
        if self.batch_size not in _BATCH_SIZE_RANGE:
            raise StackConfigError(f"ior:batchSize={self.batch_size} must be between 1 and 10")

    @classmethod
    def from_pulumi(cls) -> StackConfig:
        """The stack's `ior:` settings; a key that is not set keeps the default above."""
        config = pulumi.Config("ior")
        overrides: dict[str, Any] = {
            field_name: value
            for field_name, key in _INT_KEYS.items()
            if (value := config.get_int(key)) is not None
        }
        if endpoints := config.get_object("lambdaEndpoints"):
            overrides["lambda_endpoints"] = endpoints
        if dependencies := config.get("dependenciesDir"):
            overrides["dependencies_dir"] = REPO_ROOT / dependencies
        if issuer := config.get("portalOidcIssuer"):
            overrides["portal"] = PortalConfig(
                oidc_issuer=issuer,
                oidc_audience=config.require("portalOidcAudience"),
                oidc_client_id=config.require("portalOidcClientId"),
                session_secret=config.require_secret("portalSessionSecret"),
                oidc_roles_claim=config.get("portalOidcRolesClaim") or "roles",
            )
        return cls(
            environment=config.get("environment") or pulumi.get_stack(),
            cost_centre=config.require("costCentre"),
            **overrides,
        )
