"""Events of the ingestion service (topic ior-ingestion)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts import topology
from contracts.envelope import EventData
from contracts.events.refs import SHA256_PATTERN, ObjectRef


class ExtractAcceptedV1(EventData):
    """An extract (or its valid records) was accepted and stored as normalized JSON lines."""

    TYPE: ClassVar[str] = topology.EXTRACT_ACCEPTED
    VERSION: ClassVar[int] = 1

    feed: str
    extract_id: str
    source_uri: str = Field(description="where SAP (or a user) put the file")
    sha256: str = Field(pattern=SHA256_PATTERN, description="SHA-256 of the file as received")
    extracted_at: datetime
    sap_system: str
    records: ObjectRef
    rejected_count: int = Field(ge=0, description="records rejected alone; see the report")
    rejection_report_uri: str | None = None
    rejected_records: ObjectRef | None = Field(
        default=None,
        description="JSON lines: each rejected record as received, with its findings",
    )


class RejectedRecordV1(BaseModel):
    """One finding: which record broke which rule of its feed, with the offending value."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    record_index: int | None = Field(description="0-based index in records; null for the file")
    field: str
    value: str | None
    rule: str


class ExtractRejectedV1(EventData):
    """A whole file, or some of its records, could not be accepted."""

    TYPE: ClassVar[str] = topology.EXTRACT_REJECTED
    VERSION: ClassVar[int] = 1

    feed: str | None
    extract_id: str | None
    source_uri: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    whole_file: bool
    reason: str
    rejected_count: int = Field(ge=0)
    accepted_count: int = Field(ge=0)
    report_uri: str
    quarantined_uri: str | None = Field(description="the file's copy in quarantine/ if whole")
    findings: tuple[RejectedRecordV1, ...] = Field(description="the first findings (all in report)")
