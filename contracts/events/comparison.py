"""Events of the comparison service (topic ior-comparison) and alerts (topic ior-alerts)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts import topology
from contracts.envelope import EventData
from contracts.events.refs import ObjectRef


class ComparisonCompletedV1(EventData):
    """Our customs lines were compared with SAP's ZSDR002 lines for the same invoices."""

    TYPE: ClassVar[str] = topology.COMPARISON_COMPLETED
    VERSION: ClassVar[int] = 1

    calc_id: str
    report: ObjectRef
    passed: int = Field(ge=0)
    failed: int = Field(ge=0)
    ours_only: int = Field(ge=0)
    theirs_only: int = Field(ge=0)
    held_back: int = Field(
        default=0, ge=0, description="SAP lines of invoice lines ior did not declare"
    )


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class AlertRaisedV1(EventData):
    """Something an operator should look at; `refs` point at the report that explains it."""

    TYPE: ClassVar[str] = topology.ALERT_RAISED
    VERSION: ClassVar[int] = 1

    severity: Severity
    service: str
    title: str
    detail: str
    refs: tuple[str, ...] = ()
