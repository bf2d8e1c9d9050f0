"""S3 event notifications, as delivered to the ingestion queue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from contracts.errors import MalformedEvent


@dataclass(frozen=True)
class ObjectCreated:
    bucket: str
    key: str
    size: int
    event_time: datetime


def parse_notification(body: str) -> list[ObjectCreated]:
    """The created objects a notification reports; none for S3's `s3:TestEvent`."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise MalformedEvent(f"S3 notification is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise MalformedEvent("S3 notification is not a JSON object")
    if document.get("Event") == "s3:TestEvent":
        return []
    try:
        return [
            ObjectCreated(
                bucket=record["s3"]["bucket"]["name"],
                key=unquote_plus(record["s3"]["object"]["key"]),
                size=int(record["s3"]["object"].get("size", 0)),
                event_time=_parse_time(record.get("eventTime")),
            )
            for record in document["Records"]
            if str(record.get("eventName", "")).startswith("ObjectCreated")
        ]
    except (KeyError, TypeError) as exc:
        raise MalformedEvent(f"S3 notification lacks {exc}") from exc


def _parse_time(value: object) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.now(UTC)
