"""How the lines table keeps a customs line: its keys and the attributes it is looked up or
filtered by, and the whole line as one JSON text.

A page of lines is read far more often than written; DynamoDB's typed attributes cost the client
a parse of every field of every line (about 4x the time of one JSON text per line, measured for
a page of 100), while the lookups need only the few attributes kept beside the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contracts.datasets import CustomsLineV1
from contracts.topology import PORTAL_LINE_INDEXES
from services.portal import keys
from services.portal.changes import Item

LINE = "line"
# Index keys, and the component (a filter of /api/customs-lines).
LOOKUPS = (*PORTAL_LINE_INDEXES, "component")


def line_item(line: CustomsLineV1) -> Item:
    """A customs line as the lines table keeps it: every field, amounts as text."""
    document = {k: v for k, v in line.model_dump(mode="json").items() if v is not None}
    return {
        "entry_date": line.entry_date.isoformat(),
        "line_key": keys.line_key(line),
        **{name: document[name] for name in LOOKUPS if name in document},
        LINE: json.dumps(document, separators=(",", ":")),
    }


def line_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """The line a page shows: every field of the customs line, with its table keys."""
    view: dict[str, Any] = json.loads(item[LINE])
    return {"entry_date": item["entry_date"], "line_key": item["line_key"], **view}


def customs_line(view: Mapping[str, Any]) -> CustomsLineV1:
    """The customs line a view shows, validated again: the table's own keys left out, and the
    fields `line_item` left out for being None given back as None."""
    return CustomsLineV1.model_validate(
        {name: view.get(name) for name in CustomsLineV1.model_fields}
    )
