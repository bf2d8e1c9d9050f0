"""What one calculation produces besides the component lines: the audit trail of DOMAIN.md §3-§4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from contracts.datasets import CustomsLineV1, HtsCodeRow, TariffRuleRow
from contracts.events.customs import CustomsTotalsV1


class ExceptionReason(StrEnum):
    """Why an invoice line was kept out of the declared lines."""

    HELD_BACK_BY_QUALITY = "held-back-by-quality-error"  # normalization kept it out
    REJECTED_AT_INGESTION = "rejected-at-ingestion"  # the record broke its feed's contract
    MATERIAL_NOT_IN_MASTER = "material-not-in-master"
    NET_WEIGHT_MISSING = "net-weight-missing"
    HTS_NOT_VALID_AT_ENTRY_DATE = "hts-not-valid-at-entry-date"
    METAL_ORIGIN_MISSING = "metal-origin-missing"
    NO_COMPONENT = "no-component"
    NEGATIVE_COMPONENT = "negative-component"
    RECONCILIATION_FAILED = "reconciliation-failed"


@dataclass(frozen=True, slots=True)
class CustomsException:
    """One invoice line that is not declared, with the reason and what to fix."""

    extract_id: str
    record_index: int
    invoice_number: str
    line_number: int
    material: str
    reason: ExceptionReason
    detail: str


@dataclass(frozen=True, slots=True)
class PackagingLine:
    """A ZEMM006 packaging material on an invoice: not declared, reported with its value."""

    invoice_number: str
    line_number: int
    material: str
    description: str
    packaging_type: str
    quantity: Decimal
    value_usd: Decimal


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """DOMAIN.md §3.6 for one invoice line: its components must add up to V and round3(W)."""

    invoice_number: str
    line_number: int
    material: str
    value_usd: Decimal
    component_value_usd: Decimal
    weight_kg: Decimal
    component_weight_kg: Decimal

    @property
    def balanced(self) -> bool:
        return (
            self.component_value_usd == self.value_usd
            and self.component_weight_kg == self.weight_kg
        )


@dataclass(frozen=True, slots=True)
class RateUsed:
    """A rate the calculation applied and the reference row it came from.

    `rule_id` is the ZEMM007 rule; None for the MFN layer, whose source is the ZFMIOR003 row
    (`code` = HTS number, `valid_from` = that row's start). `min_usd`/`max_usd` only for fees.
    """

    program: str
    code: str | None
    rate_pct: Decimal
    rule_id: str | None
    valid_from: date
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None

    @classmethod
    def of_rule(cls, rule: TariffRuleRow) -> RateUsed:
        return cls(
            program=rule.program,
            code=rule.chapter99_code or None,
            rate_pct=rule.rate_pct,
            rule_id=rule.rule_id,
            valid_from=rule.valid_from,
            min_usd=rule.min_usd,
            max_usd=rule.max_usd,
        )

    @classmethod
    def of_hts(cls, hts: HtsCodeRow, program: str) -> RateUsed:
        return cls(
            program=program,
            code=hts.hts_code,
            rate_pct=hts.general_rate_pct,
            rule_id=None,
            valid_from=hts.valid_from,
        )


@dataclass(frozen=True, slots=True)
class CalculationResult:
    calc_id: str
    component_lines: tuple[CustomsLineV1, ...]
    exceptions: tuple[CustomsException, ...]
    packaging_lines: tuple[PackagingLine, ...]
    reconciliations: tuple[Reconciliation, ...]
    rates_used: tuple[RateUsed, ...]
    totals: CustomsTotalsV1
