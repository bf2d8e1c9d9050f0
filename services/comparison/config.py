"""The comparison's knobs: one tolerance per compared field (DOMAIN.md §4), read once at build.

Defaults: money ±0.01 USD absolute, weight ±0.5 % of our value, codes exact. Each field can be
overridden with `IOR_COMPARISON_TOLERANCE_<FIELD>`, e.g. `IOR_COMPARISON_TOLERANCE_DUTY_USD=0.05`
(absolute), `IOR_COMPARISON_TOLERANCE_NET_WEIGHT_KG=1%` (relative) or `=exact`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

from services.runtime.errors import SettingsError

ENV_PREFIX = "IOR_COMPARISON_TOLERANCE_"
CODE_FIELDS = ("material", "hts_code", "country_of_origin")
NUMBER_FIELDS = ("net_weight_kg", "entered_value_usd", "duty_usd")
COMPARED_FIELDS = CODE_FIELDS + NUMBER_FIELDS


class ToleranceKind(StrEnum):
    EXACT = "exact"
    ABSOLUTE = "absolute"
    RELATIVE = "relative"


@dataclass(frozen=True)
class Tolerance:
    """How far SAP's value may be from ours; `amount` is in the field's unit, or in % of ours."""

    kind: ToleranceKind
    amount: Decimal = Decimal(0)

    def allows(self, ours: Decimal, theirs: Decimal) -> bool:
        """Exactly at the tolerance still passes."""
        deviation = abs(theirs - ours)
        if self.kind is ToleranceKind.ABSOLUTE:
            return deviation <= self.amount
        if self.kind is ToleranceKind.RELATIVE:
            return deviation <= abs(ours) * self.amount / 100
        return deviation == 0

    def describe(self) -> str:
        if self.kind is ToleranceKind.ABSOLUTE:
            return f"±{self.amount}"
        if self.kind is ToleranceKind.RELATIVE:
            return f"±{self.amount} %"
        return "exact"

    @classmethod
    def parse(cls, text: str) -> Tolerance:
        """`exact`, `0.01` (absolute) or `0.5%` (relative to our value)."""
        raw = text.strip().lower()
        if raw == ToleranceKind.EXACT:
            return cls(ToleranceKind.EXACT)
        kind = ToleranceKind.RELATIVE if raw.endswith("%") else ToleranceKind.ABSOLUTE
        try:
            amount = Decimal(raw.removesuffix("%").strip())
        except InvalidOperation:
            raise SettingsError(f"{text!r} is not a tolerance: use exact, 0.01 or 0.5%") from None
        if not amount.is_finite() or amount < 0:
            raise SettingsError(f"tolerance {text!r} must be a finite number ≥ 0")
        return cls(kind, amount)


DEFAULT_TOLERANCES: Mapping[str, Tolerance] = MappingProxyType(
    {
        **{name: Tolerance(ToleranceKind.EXACT) for name in CODE_FIELDS},
        "net_weight_kg": Tolerance(ToleranceKind.RELATIVE, Decimal("0.5")),
        "entered_value_usd": Tolerance(ToleranceKind.ABSOLUTE, Decimal("0.01")),
        "duty_usd": Tolerance(ToleranceKind.ABSOLUTE, Decimal("0.01")),
    }
)


@dataclass(frozen=True)
class ComparisonConfig:
    tolerances: Mapping[str, Tolerance] = field(default_factory=lambda: DEFAULT_TOLERANCES)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ComparisonConfig:
        tolerances = dict(DEFAULT_TOLERANCES)
        for name in COMPARED_FIELDS:
            raw = environ.get(f"{ENV_PREFIX}{name.upper()}")
            if not raw:
                continue
            tolerance = Tolerance.parse(raw)
            if name in CODE_FIELDS and tolerance.kind is not ToleranceKind.EXACT:
                raise SettingsError(f"{ENV_PREFIX}{name.upper()}: codes are compared exactly")
            tolerances[name] = tolerance
        return cls(MappingProxyType(tolerances))
