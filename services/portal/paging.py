"""Pages of query results and the opaque cursor that continues them.

A cursor is the key of the last item a page returned, so a page is exactly `limit` items even
when a filter drops some of what DynamoDB read; it is base64url JSON, not a secret, and one that
does not decode is the caller's error (`InvalidCursor`), never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.portal.errors import InvalidCursor

MAX_PAGE = 500
View = dict[str, Any]


@dataclass(frozen=True)
class Page:
    items: list[View]
    next_cursor: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


def encode_cursor(position: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, sort_keys=True).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidCursor(f"cursor {cursor[:40]!r} is not one this API returned") from exc
    if not isinstance(position, dict):
        raise InvalidCursor(f"cursor {cursor[:40]!r} is not one this API returned")
    return position


def take(
    items: Iterator[View],
    limit: int,
    key_names: Sequence[str],
    keep: Callable[[View], bool] = lambda _: True,
) -> tuple[list[View], dict[str, Any] | None]:
    """Up to `limit` kept items, and the key of the last one when more may follow."""
    page: list[View] = []
    for item in items:
        if not keep(item):
            continue
        page.append(item)
        if len(page) == limit:
            return page, {name: page[-1][name] for name in key_names}
    return page, None
