"""The accepted records of an extract, as ingestion stored them: JSON lines with `record_index`."""

from __future__ import annotations

import json
from typing import Generic, NamedTuple, TypeVar

from pydantic import ValidationError

from contracts.feeds import FeedRecord
from services.normalization.errors import AcceptedRecordsUnreadable

R = TypeVar("R", bound=FeedRecord)


class Indexed(NamedTuple, Generic[R]):
    """A record and its 0-based index in the extract SAP sent (what findings refer to)."""

    record_index: int
    record: R


def parse_records(body: bytes, model: type[R]) -> list[Indexed[R]]:
    """Each line `{"record_index": i, **record}` parsed with its feed's model."""
    records: list[Indexed[R]] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
            records.append(Indexed(int(document["record_index"]), model.model_validate(document)))
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise AcceptedRecordsUnreadable(model.FEED, number, str(exc)) from exc
    return records
