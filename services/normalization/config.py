"""The normalization service's own knobs, read once at start from the environment.

`IOR_CUSTOMER_MATCH_MIN` (default 92) and `IOR_CUSTOMER_REVIEW_MIN` (default 80) are the customer
match thresholds of DOMAIN.md §2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from services.normalization.customer_matching import MatchThresholds
from services.runtime.errors import SettingsError


@dataclass(frozen=True)
class NormalizationConfig:
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NormalizationConfig:
        env = os.environ if environ is None else environ
        defaults = MatchThresholds()
        try:
            thresholds = MatchThresholds(
                matched=_decimal(env, "IOR_CUSTOMER_MATCH_MIN", defaults.matched),
                review=_decimal(env, "IOR_CUSTOMER_REVIEW_MIN", defaults.review),
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(thresholds)


def _decimal(env: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
