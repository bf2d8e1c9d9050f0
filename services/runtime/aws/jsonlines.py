"""JSON lines, the format of every dataset ior hands from one service to the next."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

CONTENT_TYPE = "application/x-ndjson"


def json_lines(rows: Iterable[BaseModel]) -> bytes:
    """One compact JSON document per row (Decimals as strings, dates ISO), newline-terminated."""
    return b"".join(row.model_dump_json().encode() + b"\n" for row in rows)
