"""One typed settings object, read once from the environment at start-up.

The standard AWS variables are honoured (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`,
`AWS_REGION`/`AWS_DEFAULT_REGION`, credentials through boto's own chain); ior's own knobs start with
`IOR_`. Nothing below the edges of a service reads `os.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Self

MB = 1024 * 1024


class SettingsError(ValueError):
    """An environment variable holds a value ior cannot use."""


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    endpoint_url: str | None = None
    service_endpoints: tuple[tuple[str, str], ...] = ()
    max_file_bytes: int = 50 * MB
    max_records: int = 200_000
    worker_concurrency: int = 4
    receive_wait_seconds: int = 20
    visibility_heartbeat_seconds: int = 30
    inprogress_expiry_seconds: int = 900
    idempotency_retention_days: int = 30
    claim_check_threshold_bytes: int = 200_000
    max_receive_count: int = 3
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        endpoints = tuple(
            sorted(
                (name.removeprefix("AWS_ENDPOINT_URL_").lower(), value)
                for name, value in env.items()
                if name.startswith("AWS_ENDPOINT_URL_") and value
            )
        )
        defaults = cls()
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            service_endpoints=endpoints,
            max_file_bytes=_int(env, "IOR_MAX_FILE_BYTES", defaults.max_file_bytes),
            max_records=_int(env, "IOR_MAX_RECORDS", defaults.max_records),
            worker_concurrency=_int(env, "IOR_WORKER_CONCURRENCY", defaults.worker_concurrency),
            receive_wait_seconds=_int(
                env, "IOR_RECEIVE_WAIT_SECONDS", defaults.receive_wait_seconds
            ),
            visibility_heartbeat_seconds=_int(
                env, "IOR_VISIBILITY_HEARTBEAT_SECONDS", defaults.visibility_heartbeat_seconds
            ),
            inprogress_expiry_seconds=_int(
                env, "IOR_INPROGRESS_EXPIRY_SECONDS", defaults.inprogress_expiry_seconds
            ),
            idempotency_retention_days=_int(
                env, "IOR_IDEMPOTENCY_RETENTION_DAYS", defaults.idempotency_retention_days
            ),
            claim_check_threshold_bytes=_int(
                env, "IOR_CLAIM_CHECK_THRESHOLD_BYTES", defaults.claim_check_threshold_bytes
            ),
            log_level=env.get("IOR_LOG_LEVEL", defaults.log_level).upper(),
        )

    def endpoint_for(self, service: str) -> str | None:
        """The endpoint for one AWS service: its own variable first, then the global one."""
        return dict(self.service_endpoints).get(service, self.endpoint_url)

    def with_endpoint(self, url: str) -> Self:
        """All AWS calls to `url` (the embedded emulator or a LocalStack), except where a
        service-specific endpoint was set explicitly (DynamoDB Local next to LocalStack)."""
        return replace(self, endpoint_url=url)

    def on_emulator(self, url: str) -> Self:
        """All AWS calls to the embedded emulator, which serves every service: a service endpoint
        left in the shell (DynamoDB Local, after `localstack/up.sh`) would split the state
        between two emulators, e.g. a feed sync in one pointing at records in the other."""
        return replace(self, endpoint_url=url, service_endpoints=())

    def endpoint_environment(self) -> dict[str, str]:
        """These endpoints as the variables `from_env` reads (for a worker started apart)."""
        named = {f"AWS_ENDPOINT_URL_{name.upper()}": url for name, url in self.service_endpoints}
        return {"AWS_ENDPOINT_URL": self.endpoint_url or "", **named}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value
