"""The daily feeds (DOMAIN.md §1): the commercial invoice lines ior declares, and the lines SAP
declared itself, which ior's lines are compared with."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from contracts.datasets import Component
from contracts.feeds.limits import MAX_LINE_NUMBER, MAX_LINE_VALUE_USD, MAX_QUANTITY
from contracts.feeds.types import (
    CASE_INSENSITIVE,
    Code,
    Currency,
    DecimalNumber,
    FeedRecord,
    FlexibleDate,
    HtsCode,
    Iso2Country,
    OptionalCode,
    OptionalDecimal,
    PortOfEntry,
    Text,
    WholeNumber,
)


class TransportMode(StrEnum):
    OCEAN = "OCEAN"
    AIR = "AIR"
    TRUCK = "TRUCK"
    RAIL = "RAIL"


class Zemm004Record(FeedRecord):
    """ZEMM004: one commercial invoice line, i.e. what is imported, at what price, through where."""

    FEED: ClassVar[str] = "ZEMM004"
    LINE_KEY: ClassVar[tuple[str, ...]] = ("invoice_number", "line_number")

    invoice_number: Code
    invoice_date: FlexibleDate
    po_number: Code
    line_number: WholeNumber = Field(gt=0, le=MAX_LINE_NUMBER)
    material: Code
    quantity: DecimalNumber = Field(gt=0, le=MAX_QUANTITY)
    unit: Code
    unit_price: DecimalNumber = Field(ge=0)
    currency: Currency
    exchange_rate_to_usd: OptionalDecimal = Field(
        default=None,
        gt=0,
        validate_default=True,
        description="USD per unit of currency; required unless currency is USD",
    )
    incoterms: Code
    ship_to_name: Text = Field(description="as typed by sales; matched to ZSDR010 names")
    supplier_name: Text
    manufacturer_id: OptionalCode = Field(default=None, description="overrides the master's MID")
    port_of_entry: PortOfEntry
    transport_mode: Annotated[TransportMode, CASE_INSENSITIVE]
    entry_date: FlexibleDate

    @field_validator("exchange_rate_to_usd")
    @classmethod
    def _rate_unless_usd(cls, rate: Decimal | None, info: ValidationInfo) -> Decimal | None:
        currency = info.data.get("currency")
        if currency is None:
            return rate
        if currency != "USD" and rate is None:
            raise ValueError(
                f"exchange_rate_to_usd is required when currency is {currency}"
                " (only USD lines may leave it empty)"
            )
        if currency == "USD" and rate not in (None, 1):
            # A USD line is valued as is; any other rate would silently rescale it.
            raise ValueError(
                f"exchange_rate_to_usd is {rate} but currency is USD: leave it empty or give 1"
            )
        return rate

    @field_validator("exchange_rate_to_usd")
    @classmethod
    def _line_value_in_range(cls, rate: Decimal | None, info: ValidationInfo) -> Decimal | None:
        quantity, unit_price = info.data.get("quantity"), info.data.get("unit_price")
        if quantity is None or unit_price is None:
            return rate
        value = quantity * unit_price * (rate or 1)
        if value > MAX_LINE_VALUE_USD:
            raise ValueError(
                f"quantity * unit_price * exchange_rate_to_usd is {value:.2E} USD, more than"
                f" {MAX_LINE_VALUE_USD:.0E} for one line: check quantity, unit_price and the rate"
            )
        return rate


class Zsdr002Record(FeedRecord):
    """ZSDR002: a customs line as SAP declared it, the reference ior's lines are compared with."""

    FEED: ClassVar[str] = "ZSDR002"
    LINE_KEY: ClassVar[tuple[str, ...]] = ("invoice_number", "line_number", "component")

    invoice_number: Code
    line_number: WholeNumber = Field(gt=0, le=MAX_LINE_NUMBER)
    component: Annotated[Component, CASE_INSENSITIVE]
    material: Code
    hts_code: HtsCode
    country_of_origin: Iso2Country
    quantity: DecimalNumber = Field(
        ge=0, description="0 on metal-content lines, as CBP's split-line reporting has filers do"
    )
    net_weight_kg: DecimalNumber = Field(ge=0)
    entered_value_usd: DecimalNumber = Field(ge=0)
    duty_usd: DecimalNumber = Field(ge=0)
