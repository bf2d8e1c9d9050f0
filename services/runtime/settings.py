"""One typed settings object, read once from the environment at start-up (pydantic-settings).

The standard AWS variables are honoured (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`,
`AWS_REGION`/`AWS_DEFAULT_REGION`, credentials through boto's own chain); ior's own knobs start with
`IOR_` and are checked against their ranges, so a nonsense value stops the process at start with one
line naming the variable instead of failing later inside a worker. Nothing below the edges of a
service reads `os.environ`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from services.runtime.errors import SettingsError

MB = 1024 * 1024
PREFIX = "IOR_"
SERVICE_ENDPOINT_PREFIX = "AWS_ENDPOINT_URL_"
# SNS and SQS refuse messages over 256 KiB: a larger envelope must travel by claim check.
_MAX_MESSAGE_BYTES = 256 * 1024
# SQS allows a message to stay invisible for at most 12 hours; the heartbeat asks for 3 intervals.
_MAX_HEARTBEAT_SECONDS = 4 * 3600

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


@dataclass(frozen=True)
class Settings:
    """What a process runs with; built by `from_env`, changed for a run with `replace`."""

    region: str
    endpoint_url: str | None
    service_endpoints: tuple[tuple[str, str], ...]
    service: str | None
    max_file_bytes: int
    max_records: int
    worker_concurrency: int
    receive_wait_seconds: int
    visibility_heartbeat_seconds: int
    claim_lease_seconds: int
    transient_retry_budget_seconds: int
    idempotency_retention_days: int
    claim_check_threshold_bytes: int
    log_level: LogLevel | None

    @classmethod
    def from_env(cls) -> Self:
        """The settings of this process; `SettingsError` names the first variable that is wrong."""
        try:
            environment = _Environment()
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None
        return cls(**environment.model_dump())

    def level(self, default: LogLevel = "INFO") -> LogLevel:
        """`IOR_LOG_LEVEL`, else the entry point's own default (the CLI is quieter than workers)."""
        return self.log_level or default

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
        named = {
            f"{SERVICE_ENDPOINT_PREFIX}{name.upper()}": url for name, url in self.service_endpoints
        }
        return {"AWS_ENDPOINT_URL": self.endpoint_url or "", **named}


class _Environment(BaseSettings):
    """The variables, their defaults and their ranges."""

    # An empty variable counts as unset, as it does for the AWS SDKs.
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True)

    region: str = Field(
        "us-east-1", min_length=1, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")
    # From the `AWS_ENDPOINT_URL_<SERVICE>` variables (see `_ServiceEndpoints`).
    service_endpoints: tuple[tuple[str, str], ...] = ()
    service: str | None = Field(None, description="the service a Lambda function runs")
    max_file_bytes: int = Field(50 * MB, gt=0)
    max_records: int = Field(200_000, gt=0)
    worker_concurrency: int = Field(4, ge=1, le=64)
    receive_wait_seconds: int = Field(20, ge=0, le=20)
    visibility_heartbeat_seconds: int = Field(30, ge=1, le=_MAX_HEARTBEAT_SECONDS)
    claim_lease_seconds: int = Field(90, ge=2)
    # How long a message waits out AWS being unavailable (see `deferrals`) before its failures
    # count towards the DLQ: outages of a few minutes are ridden out.
    transient_retry_budget_seconds: int = Field(900, ge=0, le=12 * 3600)
    idempotency_retention_days: int = Field(30, ge=1)
    claim_check_threshold_bytes: int = Field(200_000, gt=0, le=_MAX_MESSAGE_BYTES)
    log_level: LogLevel | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No dotenv or secrets files: the environment is the one place settings come from.
        return env_settings, _ServiceEndpoints(settings_cls)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _lease_outlives_a_heartbeat(self) -> Self:
        if self.claim_lease_seconds < 2 * self.visibility_heartbeat_seconds:
            raise ValueError(
                f"{PREFIX}CLAIM_LEASE_SECONDS={self.claim_lease_seconds} must be at least twice "
                f"{PREFIX}VISIBILITY_HEARTBEAT_SECONDS={self.visibility_heartbeat_seconds}, or one "
                "late heartbeat loses the lease"
            )
        return self


class _ServiceEndpoints(PydanticBaseSettingsSource):
    """`AWS_ENDPOINT_URL_<SERVICE>` as the AWS SDKs read it: one variable per service, so the
    names are not known in advance and no field can name them."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: `__call__` gives the one value it knows

    def __call__(self) -> dict[str, Any]:
        endpoints = sorted(
            (name.removeprefix(SERVICE_ENDPOINT_PREFIX).lower(), value)
            for name, value in os.environ.items()
            if name.startswith(SERVICE_ENDPOINT_PREFIX) and value
        )
        return {"service_endpoints": tuple(endpoints)} if endpoints else {}


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:  # a rule across variables: its message names them
        return message
    field = str(error["loc"][0])
    variable = field if field.isupper() else f"{PREFIX}{field.upper()}"
    return f"{variable}={error['input']!r}: {message}"
