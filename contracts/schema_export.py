"""Exports the JSON Schema of every event and feed model to `contracts/schemas/`.

Run `python -m contracts.schema_export` after changing a model; a test fails while a checked-in
schema differs from its model. Schemas of earlier event versions stay in the folder: consumers may
still have to read them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.events import EVENT_MODELS
from contracts.feeds import FEEDS, ExtractHeader

SCHEMA_DIR = Path(__file__).parent / "schemas"


def expected_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for every current model."""
    schemas = {"envelope.json": _schema(Envelope, "urn:ior:schema:envelope:v1")}
    for event in EVENT_MODELS:
        schemas[f"{event.TYPE}.v{event.VERSION}.json"] = _schema(event, event.dataschema())
    schemas["feed-extract.json"] = _schema(ExtractHeader, "urn:ior:schema:feed-extract")
    for feed, record in FEEDS.items():
        schemas[f"feed-{feed}.json"] = _schema(record, f"urn:ior:schema:feed:{feed}")
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _schema(model: type[BaseModel], schema_id: str) -> dict[str, Any]:
    return {"$id": schema_id, **model.model_json_schema(mode="serialization")}


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in expected_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema), encoding="utf-8")
    print(f"wrote {len(expected_schemas())} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
