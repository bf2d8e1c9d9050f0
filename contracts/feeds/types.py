"""`FeedRecord`, the base of every feed record, and the field types the feeds share.

A record reaches ior in one of three shapes and must parse to the same value from each: JSON
(numbers as `Decimal` or `int`, NaN and Infinity as float), CSV (every cell text, an empty cell
meaning absent) and XLSX read by openpyxl (cells as str, int, float, Decimal, bool, datetime or
None). The types below accept exactly those shapes. Each rejection names the field and says what
to fix, because the message becomes the rule of a rejection finding that a person at SAP or in
customs has to act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, ClassVar, TypeVar

import pycountry
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo

from contracts.feeds.limits import (
    WHOLE_NUMBER_LIMIT,
    bounded_number,
    quoted,
    safe_text,
    whole_number_digits_fit,
    whole_number_fits,
)

T = TypeVar("T")

# ASCII digits only: `\d` would also take fullwidth or Arabic-Indic digits, which Decimal and int
# read as numbers, but no customs system does.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE_WORDS = frozenset({"x", "true", "yes", "1"})
# SAP writes an unset flag as blank, so blank reads as false, not as absent.
_FALSE_WORDS = frozenset({"", "false", "no", "0"})


class FeedRecord(BaseModel):
    """Base of every feed record: extra columns are ignored, records are immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    FEED: ClassVar[str]
    # The fields that identify a record within one extract of a daily feed; two records with the
    # same key are ambiguous and both rejected (DOMAIN.md §1). The weekly feeds are whole
    # snapshots and declare none.
    LINE_KEY: ClassVar[tuple[str, ...]] = ()


def _field(info: ValidationInfo) -> str:
    return info.field_name or "value"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
    return None if value == "" else value


def _required(parse: Callable[[object, str], T]) -> Callable[[object, ValidationInfo], T]:
    def validate(value: object, info: ValidationInfo) -> T:
        present = _blank_to_none(value)
        if present is None:
            raise ValueError(f"{_field(info)} is required but empty")
        return parse(present, _field(info))

    return validate


def _optional(parse: Callable[[object, str], T]) -> Callable[[object, ValidationInfo], T | None]:
    def validate(value: object, info: ValidationInfo) -> T | None:
        present = _blank_to_none(value)
        return None if present is None else parse(present, _field(info))

    return validate


def _code(value: object, field: str) -> str:
    if isinstance(value, str):
        return safe_text(value, field)
    if _is_number(value):
        raise ValueError(
            f"{field} must be text (a number loses leading zeros: format the column as Text)"
        )
    raise ValueError(f"{field} must be text, not {type(value).__name__}")


def _text(value: object, field: str) -> str:
    # Free text cannot lose meaningful zeros, so a number Excel made of it is taken as its digits.
    if _is_number(value):
        return str(value)
    if isinstance(value, str):
        # A line break or tab in a description cell (Alt+Enter in Excel) is everyday data, not
        # hostile input: it reads as one space. Every other control character is refused.
        value = _LINE_BREAKS.sub(" ", value).strip()
    return _code(value, field)


def _decimal(value: object, field: str) -> Decimal:
    return bounded_number(_as_decimal(value, field), field)


def _as_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, float):
        # str() gives the shortest decimal that round-trips, i.e. what the Excel cell shows.
        return Decimal(str(value))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # an exponent no Decimal can hold, e.g. 1E-99999999999999999999
            raise ValueError(f"{field} {quoted(value)} is out of range for a number") from None
    raise ValueError(
        f"{field} must be a number such as 12.5 (a dot for decimals, no thousands separators),"
        f" not {quoted(value)}"
    )


def _whole_number(value: object, field: str) -> int:
    number = _as_whole_number(value, field)
    if not whole_number_fits(number):
        raise ValueError(f"{field} {quoted(number)} is too large for a whole number")
    return number


def _as_whole_number(value: object, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        if not whole_number_digits_fit(value):
            raise ValueError(f"{field} {quoted(value)} is too large for a whole number")
        return int(value)
    if isinstance(value, float | Decimal) and math.isfinite(value):
        number = Decimal(value)
        if abs(number) >= WHOLE_NUMBER_LIMIT:
            raise ValueError(f"{field} {quoted(str(value))} is too large for a whole number")
        if number == number.to_integral_value():
            return int(number)
    raise ValueError(f"{field} must be a whole number such as 10, not {quoted(value)}")


def _date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{field} {quoted(value)} is not a day of the calendar") from None
    raise ValueError(f"{field} must be a date written YYYY-MM-DD, not {quoted(value)}")


def _sap_bool(value: object, info: ValidationInfo) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    raise ValueError(
        f"{_field(info)} must be true or false (X or blank, yes/no, true/false, 1/0),"
        f" not {quoted(value)}"
    )


def _pipe_separated(value: object, info: ValidationInfo) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        names = value.split("|")
    elif isinstance(value, list | tuple) and all(isinstance(name, str) for name in value):
        names = list(value)
    else:
        raise ValueError(
            f"{_field(info)} must be a list of names, or one text with the names separated by |"
        )
    return [safe_text(name.strip(), _field(info)) for name in names if name.strip()]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _matching(pattern: str, rule: str) -> AfterValidator:
    compiled = re.compile(pattern, re.ASCII)

    def check(value: str, info: ValidationInfo) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{_field(info)} {quoted(value)} {rule}")
        return value

    return AfterValidator(check)


@cache
def _iso_alpha2() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def _country(*also: str) -> AfterValidator:
    expected = " or ".join(("an ISO 3166-1 alpha-2 code such as CN", *also))

    def check(value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in also and code not in _iso_alpha2():
            raise ValueError(
                f"{_field(info)} {quoted(value)} is not a country code: expected {expected}"
            )
        return code

    return AfterValidator(check)


def _not_before_valid_from(valid_to: date | None, info: ValidationInfo) -> date | None:
    valid_from = info.data.get("valid_from")
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise ValueError(f"valid_to ({valid_to}) is before valid_from ({valid_from})")
    return valid_to


CASE_INSENSITIVE = BeforeValidator(_upper)
"""Put on an enumeration field so `kg` reads as `KG`."""

MAX_CODE_CHARS = 64
MAX_TEXT_CHARS = 500


def _at_most(limit: int) -> AfterValidator:
    """A bound on text, so a hostile 10 MB field is rejected instead of travelling downstream."""

    def check(value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and len(value) > limit:
            raise ValueError(f"{_field(info)} is {len(value)} characters long; at most {limit}")
        return value

    return AfterValidator(check)


Code = Annotated[str, BeforeValidator(_required(_code)), _at_most(MAX_CODE_CHARS)]
"""A required code or identifier: text only, so leading zeros survive (`000000000010004711`)."""
OptionalCode = Annotated[str | None, BeforeValidator(_optional(_code)), _at_most(MAX_CODE_CHARS)]
"""A code that may be absent: empty text and null both become None."""
ExtractId = Annotated[
    str,
    BeforeValidator(_required(_code)),
    _matching(
        r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}",
        "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit"
        " (it names S3 keys and travels in message attributes)",
    ),
]
"""The id of an extract: it becomes part of object keys and the chain's correlation id."""
Text = Annotated[str, BeforeValidator(_required(_text)), _at_most(MAX_TEXT_CHARS)]
"""Required free text (descriptions, names); a number typed into it is kept as its digits."""

HtsCode = Annotated[
    str,
    BeforeValidator(_required(_code)),
    _matching(r"[0-9]{10}", "must be exactly 10 digits, without dots (e.g. 9401614011)"),
]
HtsPrefixOrAny = Annotated[
    str,
    BeforeValidator(_required(_code)),
    _matching(r"[0-9]{2,10}|\*", "must be the first 2 to 10 digits of an HTS number, or * for any"),
]
PortOfEntry = Annotated[
    str,
    BeforeValidator(_required(_code)),
    _matching(r"[0-9]{4}", "must be a 4-digit CBP port code such as 2704"),
]
Currency = Annotated[
    str,
    BeforeValidator(_required(_code)),
    AfterValidator(str.upper),
    _matching(r"[A-Z]{3}", "must be a 3-letter currency code such as USD"),
]

Iso2Country = Annotated[str, BeforeValidator(_required(_code)), _country()]
CountryOrAny = Annotated[str, BeforeValidator(_required(_code)), _country("*")]
MeltPourCountry = Annotated[str | None, BeforeValidator(_optional(_code)), _country("OTH")]
SmeltCastCountry = Annotated[str | None, BeforeValidator(_optional(_code)), _country("UNKNOWN")]

DecimalNumber = Annotated[Decimal, BeforeValidator(_required(_decimal))]
"""A required quantity, weight, price or rate, exact as sent (at most 18 places); never float."""
OptionalDecimal = Annotated[Decimal | None, BeforeValidator(_optional(_decimal))]
WholeNumber = Annotated[int, BeforeValidator(_required(_whole_number))]

FlexibleDate = Annotated[date, BeforeValidator(_required(_date))]
"""A day: `YYYY-MM-DD` text, a date, or an Excel datetime (its time is dropped)."""
ValidTo = Annotated[
    date | None, BeforeValidator(_optional(_date)), AfterValidator(_not_before_valid_from)
]
"""The last day a record is valid (None: open-ended); never before the record's `valid_from`."""

SapBool = Annotated[bool, BeforeValidator(_sap_bool)]
"""A flag: a bool, SAP's `X`/blank, or yes/no, true/false, 1/0 in any case; blank is false."""
PipeSeparatedNames = Annotated[list[str], BeforeValidator(_pipe_separated)]
"""A JSON list of names, or in CSV/XLSX one text `A|B|C`; blanks are dropped."""
