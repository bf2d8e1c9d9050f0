"""The Arrow schema of every Parquet dataset, derived from its row model in `contracts.datasets`.

Declared once here, so that every file of a dataset has the same schema whatever values a batch
holds (inferred from the values, a column of a small batch that is all None is typed `null`, and
a decimal column takes the precision of the values it happened to see), and a reader can rely on
it. An additive field of the model appears in the files without a change here.

- `Decimal` is decimal128(38, 18): the 18 decimal places ingestion accepts (`MAX_DECIMAL_PLACES`)
  are written exactly, with 20 digits before the point;
- text, enumerations (their values), dates, UTC timestamps, integers and booleans map to their
  Arrow types; optional fields are nullable;
- a tuple of items is a list, a nested row model a struct.

Kept apart from `contracts.datasets` so that the services that never write Parquet do not load
pyarrow (about a third of a second of a function's cold start).
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from contracts.datasets import CustomsLineV1, NormalizedInvoiceLine
from contracts.feeds import MAX_DECIMAL_PLACES

DECIMAL = pa.decimal128(38, MAX_DECIMAL_PLACES)
_SCALARS: dict[type, Any] = {
    bool: pa.bool_(),
    int: pa.int64(),
    Decimal: DECIMAL,
    date: pa.date32(),
    datetime: pa.timestamp("us", tz="UTC"),
}


def arrow_schema(model: type[BaseModel], *, without: str | None = None) -> pa.Schema:
    """One Arrow field per model field (all but `without`, e.g. a partition column)."""
    return pa.schema(_fields(model, without))


def _fields(model: type[BaseModel], without: str | None = None) -> list[pa.Field]:
    return [
        pa.field(name, arrow_type(field.annotation))
        for name, field in model.model_fields.items()
        if name != without
    ]


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a model field's annotation; TypeError for one without a mapping."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        (annotation,) = (arg for arg in typing.get_args(annotation) if arg is not type(None))
    if typing.get_origin(annotation) is tuple:
        item, ellipsis = typing.get_args(annotation)
        if ellipsis is Ellipsis:
            return pa.list_(arrow_type(item))
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, str):
        return pa.string()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct(_fields(annotation))
    raise TypeError(f"no Arrow type for {annotation!r}: add it to contracts/arrow_schemas.py")


# A normalized line's entry date is its Hive partition (`entry_date=YYYY-MM-DD/`), not a column.
INVOICE_LINES_PARTITION = "entry_date"
NORMALIZED_INVOICE_LINES = arrow_schema(NormalizedInvoiceLine, without=INVOICE_LINES_PARTITION)
CUSTOMS_LINES_V1 = arrow_schema(CustomsLineV1)
