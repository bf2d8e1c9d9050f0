"""Where files land in the raw bucket: the keys `ior push` and `ior upload` write to."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from contracts.topology import BUCKET_RAW, RAW_SAP_PREFIX, RAW_UPLOAD_PREFIX
from services.runtime.aws.blobs import s3_uri
from services.runtime.aws.clients import AwsClients
from services.runtime.errors import LandingError

UPLOAD_SUFFIXES = (".csv", ".xlsx")


def push_key(file: Path, feed: str | None = None, on: date | None = None) -> str:
    """`sap/{FEED}/{yyyy}/{mm}/{dd}/{name}`: feed and date come from the extract itself unless
    given, so a file SAP would push lands exactly where SAP would put it."""
    header = _peek_header(file)
    named = feed or header.get("feed")
    if not isinstance(named, str) or not named:
        raise LandingError(f"{file}: cannot tell its feed from the file; pass --feed")
    day = on or _extracted_on(header.get("extracted_at")) or datetime.now(UTC).date()
    # `%Y` writes the year 1 as "1": the landing layout has four digits for it.
    return f"{RAW_SAP_PREFIX}{named}/{day.year:04d}/{day:%m/%d}/{file.name}"


def upload_key(feed: str, file: Path) -> str:
    if file.suffix.lower() not in UPLOAD_SUFFIXES:
        raise LandingError(f"{file}: uploads must be .csv or .xlsx")
    return f"{RAW_UPLOAD_PREFIX}{feed}/{file.name}"


def land(clients: AwsClients, file: Path, key: str) -> str:
    """Put `file` in the raw bucket under `key`; the bucket notification does the rest."""
    clients.s3.put_object(Bucket=BUCKET_RAW, Key=key, Body=file.read_bytes())
    return s3_uri(BUCKET_RAW, key)


def _peek_header(file: Path) -> dict[str, object]:
    try:
        document = json.loads(file.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        # Not an extract ior can read: it lands all the same and ingestion quarantines it with
        # the reason, as it would if SAP had pushed it.
        return {}
    return document if isinstance(document, dict) else {}


def _extracted_on(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None
