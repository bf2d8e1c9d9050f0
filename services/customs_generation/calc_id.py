"""The CALC-ID that names one calculation run everywhere (DOMAIN.md §4)."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime

_ALPHABET = string.ascii_uppercase + string.digits
_SUFFIX_LENGTH = 4


def new_calc_id(now: datetime, rng: random.Random) -> str:
    """`CALC-YYYYMMDD-HHMMSS-XXXX` in UTC; the clock and the randomness are injected so the id is
    reproducible in tests. A naive `now` is refused: its UTC time is unknowable."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC), got a naive datetime")
    suffix = "".join(rng.choice(_ALPHABET) for _ in range(_SUFFIX_LENGTH))
    return f"CALC-{now.astimezone(UTC):%Y%m%d-%H%M%S}-{suffix}"
