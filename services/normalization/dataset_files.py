"""The normalized datasets as bytes: JSON lines, and Parquet partitioned by entry date.

Every partition has the dataset's declared schema (`contracts.arrow_schemas`), whatever values
it holds.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from contracts.arrow_schemas import INVOICE_LINES_PARTITION, NORMALIZED_INVOICE_LINES
from contracts.datasets import NormalizedInvoiceLine


def parquet_partitions(lines: Sequence[NormalizedInvoiceLine]) -> dict[date, tuple[bytes, int]]:
    """Per entry date, a Parquet file of its lines and their count.

    Hive layout: the entry date is in the path (`entry_date=YYYY-MM-DD/`), not in the file.
    """
    by_date: defaultdict[date, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_date[line.entry_date].append(line.model_dump(exclude={INVOICE_LINES_PARTITION}))
    files: dict[date, tuple[bytes, int]] = {}
    for entry_date, rows in sorted(by_date.items()):
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows, schema=NORMALIZED_INVOICE_LINES), buffer)
        files[entry_date] = (buffer.getvalue(), len(rows))
    return files
