"""The bounds every value a feed accepts stays within, so that whatever ingestion accepts can be
computed, stored and shown downstream (DOMAIN.md §1: "nothing downstream may fail on a value
ingestion accepted").

- Numbers: at most `MAX_DECIMAL_PLACES` places and `MAX_WHOLE_DIGITS` digits before the point, so
  any one value, and the sum of every value of the largest extract, fits the datasets'
  decimal128(38, 18) (20 digits before the point). Products of two fields are bounded where the
  feed multiplies them (`contracts.feeds.daily`): Python's decimal context holds 28 digits, and a
  line value rounded to cents must fit in it.
- Whole numbers: at most `MAX_WHOLE_NUMBER_DIGITS` digits (Parquet int64), checked before Python
  converts the text (a 5,000-digit text would otherwise fail with Python's own hint).
- Text: no control characters (they break keys, message attributes, logs and workbook cells), no
  direction overrides (they make a workbook cell read differently from what it holds) and no lone
  surrogates (they cannot be encoded as UTF-8, so no report could name them).
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_DECIMAL_PLACES = 18
"""Decimal places a number may have as sent (DOMAIN.md §1); the datasets store exactly this many."""
MAX_WHOLE_DIGITS = 15
"""Digits before the decimal point of any number: up to 999 trillion."""
MAX_WHOLE_NUMBER_DIGITS = 18
"""Digits of a whole number (record counts, line numbers, sequences): fits a 64-bit integer."""

_CONTROL = "\x00-\x1f\x7f-\x9f"  # Unicode category Cc
# Characters that change the direction in which the text around them is displayed (Unicode bidi
# embeddings, overrides and isolates, and the implicit marks).
_DIRECTION_CONTROL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SURROGATE = "\ud800-\udfff"
_UNSAFE = re.compile(f"[{_CONTROL}{_DIRECTION_CONTROL}{_SURROGATE}]")
_SHOWN_CHARS = 40


def quoted(value: object) -> str:
    """`value` as a message quotes it: its repr, cut short (the rule of a finding travels in
    events, and a 10 MB value must not)."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}… ({len(text)} chars)"


def bounded_number(number: Decimal, field: str) -> Decimal:
    """`number` if it is finite and within the bounds, with a negative zero made plain zero (so
    `-0.0` never shows as `-0.00`); ValueError otherwise."""
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN, sNaN or Infinity (JSON NaN arrives as a float)
        raise ValueError(f"{field} must be a finite number, not {number}")
    if -exponent > MAX_DECIMAL_PLACES:
        raise ValueError(
            f"{field} has {-exponent} decimal places; round it to at most {MAX_DECIMAL_PLACES}"
        )
    if not number.is_zero() and number.adjusted() >= MAX_WHOLE_DIGITS:
        raise ValueError(
            f"{field} {quoted(str(number))} is too large: at most {MAX_WHOLE_DIGITS} digits"
            " before the decimal point"
        )
    return number.copy_abs() if number.is_zero() else number


def whole_number_digits_fit(digits: str) -> bool:
    """Whether a whole number written as `digits` (an optional sign, then digits) fits."""
    return len(digits.lstrip("+-").lstrip("0")) <= MAX_WHOLE_NUMBER_DIGITS


WHOLE_NUMBER_LIMIT: int = 10**MAX_WHOLE_NUMBER_DIGITS
"""Every whole number is below this in magnitude."""


def whole_number_fits(number: int) -> bool:
    return abs(number) < WHOLE_NUMBER_LIMIT


def safe_text(value: str, field: str) -> str:
    """`value` if it holds no control character, direction control or lone surrogate."""
    found = _UNSAFE.search(value)
    if found is None:
        return value
    char = found.group()
    if re.fullmatch(f"[{_CONTROL}]", char):
        what = "a control character"
    elif re.fullmatch(f"[{_DIRECTION_CONTROL}]", char):
        what = "a text-direction control"
    else:
        what = "a lone surrogate (not a character)"
    raise ValueError(
        f"{field} holds {what} (U+{ord(char):04X}) at position {found.start() + 1}; remove it"
    )


# Per field, where the feed multiplies fields or a field is a count (DOMAIN.md §1 table):
MAX_QUANTITY = 10**9
"""Units on one invoice line: a line weight (quantity * weight per unit) stays below 10^15 kg."""
MAX_WEIGHT_PER_UNIT = 10**6
"""Net, gross, steel or aluminum weight of one base unit, in its weight unit."""
MAX_LINE_VALUE_USD = 10**12
"""quantity * unit_price * exchange rate of one line: its duties and fees, summed over the largest
extract, stay far inside the datasets' 20 digits before the point."""
MAX_RATE_PCT = 1000
"""A duty or fee rate, in percent."""
MAX_LINE_NUMBER = 999_999
"""SAP item numbers (POSNR) have six digits."""
MAX_SEQUENCE = 999_999
"""Position of a layer in the tariff stack."""
