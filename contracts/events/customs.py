"""Events of the customs-generation service (topic ior-customs-generation)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts import topology
from contracts.envelope import EventData
from contracts.events.refs import ObjectRef

CALC_ID_PATTERN = r"^CALC-\d{8}-\d{6}-[A-Z0-9]{4}$"


class CustomsTotalsV1(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    entered_value_usd: Decimal
    duty_usd: Decimal
    mpf_usd: Decimal
    hmf_usd: Decimal


class CustomsLinesGeneratedV1(EventData):
    """Customs lines of one batch were calculated and the broker workbook written."""

    TYPE: ClassVar[str] = topology.CUSTOMS_LINES_GENERATED
    VERSION: ClassVar[int] = 1

    calc_id: str = Field(pattern=CALC_ID_PATTERN)
    lines: ObjectRef
    lines_parquet: ObjectRef | None = None
    workbook: ObjectRef
    calculation: ObjectRef = Field(description="the calculation record (inputs, rates, totals)")
    invoice_numbers: tuple[str, ...]
    po_numbers: tuple[str, ...]
    line_count: int = Field(ge=0)
    exception_count: int = Field(ge=0)
    packaging_count: int = Field(ge=0)
    totals: CustomsTotalsV1
    supersedes: dict[str, str] = Field(
        default_factory=dict,
        description="invoice → the calculation this one replaces as the invoice's current one",
    )
    superseded_by: dict[str, str] = Field(
        default_factory=dict,
        description="invoice → a calculation of a later state of the invoice, current instead",
    )
