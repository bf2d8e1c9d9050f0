"""Events of the normalization service (topic ior-normalization)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from contracts import topology
from contracts.envelope import EventData
from contracts.events.refs import ObjectRef


class ReferenceUpdatedV1(EventData):
    """A reference table was loaded from one extract (the table's "last SAP sync")."""

    TYPE: ClassVar[str] = topology.REFERENCE_UPDATED
    VERSION: ClassVar[int] = 1

    table: str
    feed: str
    extract_id: str
    row_count: int = Field(ge=0)
    synced_at: datetime


class InvoicesNormalizedV1(EventData):
    """ZEMM004 lines converted to USD and kg, customers matched; error lines stay out."""

    TYPE: ClassVar[str] = topology.INVOICES_NORMALIZED
    VERSION: ClassVar[int] = 1

    extract_id: str
    lines: ObjectRef
    lines_parquet: ObjectRef | None = None
    line_count: int = Field(ge=0)
    error_count: int = Field(ge=0)
    invoice_numbers: tuple[str, ...]
    entry_dates: tuple[date, ...]
    inputs: tuple[ObjectRef, ...] = Field(description="the accepted extracts this was built from")
    source_uri: str | None = Field(default=None, description="the ZEMM004 file as SAP pushed it")
    held_back: ObjectRef | None = Field(
        default=None, description="JSON lines of the lines quality errors kept out (HeldBackLine)"
    )
    rejected: ObjectRef | None = Field(
        default=None, description="JSON lines of the records ingestion rejected (HeldBackLine)"
    )


class DeclaredLinesNormalizedV1(EventData):
    """SAP's own declared lines (ZSDR002), stored for the comparison service."""

    TYPE: ClassVar[str] = topology.DECLARED_LINES_NORMALIZED
    VERSION: ClassVar[int] = 1

    extract_id: str
    lines: ObjectRef
    invoice_numbers: tuple[str, ...]


class QualityReportedV1(EventData):
    """The quality report of one normalization run."""

    TYPE: ClassVar[str] = topology.QUALITY_REPORTED
    VERSION: ClassVar[int] = 1

    extract_id: str
    feed: str
    report: ObjectRef
    error_count: int = Field(ge=0)
    warning_count: int = Field(ge=0)
