"""The normalization service's own knobs, read once at start from the environment.

`IOR_CUSTOMER_MATCH_MIN` (default 92) and `IOR_CUSTOMER_REVIEW_MIN` (default 80) are the customer
match thresholds of DOMAIN.md §2; `IOR_HTS_EXPIRY_WARNING_DAYS` (default 30) is how soon after an
entry date the end of its HTS row's validity is a warning (`hts-expires-soon`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from services.normalization.customer_matching import MatchThresholds
from services.normalization.line_checks import HTS_EXPIRY_WARNING
from services.runtime.errors import SettingsError


@dataclass(frozen=True)
class NormalizationConfig:
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)
    hts_expiry_warning: timedelta = HTS_EXPIRY_WARNING

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
        return cls(thresholds, _days(env, "IOR_HTS_EXPIRY_WARNING_DAYS", HTS_EXPIRY_WARNING))


def _decimal(env: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name}={raw!r} is not a number") from None


def _days(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    raw = env.get(name)
    if not raw:
        return default
    try:
        span = timedelta(days=int(raw))
    except (ValueError, OverflowError):
        raise SettingsError(f"{name}={raw!r} is not a whole number of days") from None
    if span < timedelta(0):
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return span
