"""The customs-lines dataset v1 as a Parquet file, in the dataset's declared schema
(`contracts.arrow_schemas.CUSTOMS_LINES_V1`): every batch's file has the same column types,
whether it holds three lines or ten thousand, and whether a column has values or only None."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from contracts.arrow_schemas import CUSTOMS_LINES_V1
from contracts.datasets import CustomsLineV1


def customs_lines_parquet(lines: Sequence[CustomsLineV1]) -> bytes:
    buffer = io.BytesIO()
    rows = [line.model_dump() for line in lines]
    pq.write_table(pa.Table.from_pylist(rows, schema=CUSTOMS_LINES_V1), buffer)
    return buffer.getvalue()
