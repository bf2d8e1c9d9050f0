"""The event envelope: CloudEvents 1.0 attributes plus ior's `version` and `correlationid`.

`data` is the event model serialised to JSON. An envelope whose data was moved to the claim-check
store carries the object's URI in `claimcheck` and an empty `data`; the runtime restores it before a
handler sees the event.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.errors import MalformedEvent

_EVENT_ID_NAMESPACE = uuid.UUID("6f1c1b0e-4a53-4f0e-9b8e-6a1d2c3b4a50")


class EventData(BaseModel):
    """Base of every event payload. Consumers are tolerant readers: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @classmethod
    def dataschema(cls) -> str:
        return schema_id(cls.TYPE, cls.VERSION)


def schema_id(event_type: str, version: int) -> str:
    return f"urn:ior:schema:{event_type}:v{version}"


class Envelope(BaseModel):
    """A CloudEvent as it travels on SNS and SQS (raw message delivery)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(pattern=r"^ior\.[a-z_]+$")
    type: str = Field(pattern=r"^ior\.[a-z0-9-]+\.[a-z0-9-]+$")
    time: datetime
    subject: str = Field(min_length=1)
    dataschema: str
    datacontenttype: Literal["application/json"] = "application/json"
    version: int = Field(ge=1)
    correlationid: str = Field(min_length=1)
    data: dict[str, Any]
    claimcheck: str | None = None

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, body: str | bytes) -> Envelope:
        try:
            return cls.model_validate_json(body)
        except ValidationError as exc:
            raise MalformedEvent(
                f"message is not an ior event envelope: {_first_error(exc)}"
            ) from exc


def event_id(source: str, cause: str, event_type: str, discriminator: str = "") -> str:
    """A deterministic event id: the same cause re-processed yields the same id.

    Re-deliveries and replays therefore publish events that downstream idempotency recognises, so a
    chain of services has exactly-once effects end to end.
    """
    return str(uuid.uuid5(_EVENT_ID_NAMESPACE, f"{source}|{cause}|{event_type}|{discriminator}"))


def new_envelope(
    data: EventData,
    *,
    source: str,
    subject: str,
    correlationid: str,
    cause: str,
    discriminator: str = "",
    time: datetime | None = None,
) -> Envelope:
    """Wrap `data` in an envelope whose id derives from `cause` (the consumed event id or key)."""
    return Envelope(
        id=event_id(source, cause, data.TYPE, discriminator),
        source=source,
        type=data.TYPE,
        time=time or datetime.now(UTC),
        subject=subject,
        dataschema=data.dataschema(),
        version=data.VERSION,
        correlationid=correlationid,
        data=data.model_dump(mode="json"),
    )


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"
