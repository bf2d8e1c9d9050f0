"""Events of the portal (topic ior-portal): requests people make through it."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts import topology
from contracts.envelope import EventData
from contracts.events.customs import CALC_ID_PATTERN


class ComparisonRequestedV1(EventData):
    """Someone asked to compare a calculation again with SAP's latest ZSDR002 lines."""

    TYPE: ClassVar[str] = topology.COMPARISON_REQUESTED
    VERSION: ClassVar[int] = 1

    calc_id: str = Field(pattern=CALC_ID_PATTERN)
    invoice_numbers: tuple[str, ...] = Field(min_length=1)
    requested_by: str = Field(min_length=1, description="the signed-in user (token subject)")
