"""The normalized datasets as bytes: JSON lines, and Parquet partitioned by entry date.

The Parquet schema is derived from the row model, so an additive field in `contracts.datasets`
appears in the files without a change here. Decimals are stored as decimal128(38, 18): the 18
decimal places ingestion accepts (`MAX_DECIMAL_PLACES`) are written exactly, with 20 digits before
the point, and every partition of the dataset has the same schema whatever values it holds.
"""

from __future__ import annotations

import io
import types
import typing
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from contracts.datasets import NormalizedInvoiceLine
from contracts.feeds import MAX_DECIMAL_PLACES

PARTITION_COLUMN = "entry_date"
DECIMAL = pa.decimal128(38, MAX_DECIMAL_PLACES)
_ARROW_TYPES: dict[type, Any] = {Decimal: DECIMAL, date: pa.date32(), int: pa.int64()}


def arrow_schema(model: type[BaseModel], *, without: str | None = None) -> Any:
    """One Arrow field per model field; optional fields are nullable, enumerations are text."""
    return pa.schema(
        [
            pa.field(name, _arrow_type(field.annotation))
            for name, field in model.model_fields.items()
            if name != without
        ]
    )


def _arrow_type(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        (annotation,) = (arg for arg in typing.get_args(annotation) if arg is not type(None))
    if annotation is bool:
        return pa.bool_()
    if annotation in _ARROW_TYPES:
        return _ARROW_TYPES[annotation]
    if isinstance(annotation, type) and issubclass(annotation, str):
        return pa.string()
    raise TypeError(f"no Parquet type for {annotation!r}: add it to dataset_files")


def parquet_partitions(lines: Sequence[NormalizedInvoiceLine]) -> dict[date, tuple[bytes, int]]:
    """Per entry date, a Parquet file of its lines and their count.

    Hive layout: the entry date is in the path (`entry_date=YYYY-MM-DD/`), not in the file.
    """
    schema = arrow_schema(NormalizedInvoiceLine, without=PARTITION_COLUMN)
    by_date: defaultdict[date, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_date[line.entry_date].append(line.model_dump(exclude={PARTITION_COLUMN}))
    files: dict[date, tuple[bytes, int]] = {}
    for entry_date, rows in sorted(by_date.items()):
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), buffer)
        files[entry_date] = (buffer.getvalue(), len(rows))
    return files
