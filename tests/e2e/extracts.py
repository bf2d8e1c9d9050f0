"""What the e2e tests put in front of ingestion: sample files, small customer extracts, and the S3
notifications the bucket would send for them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from contracts.topology import BUCKET_RAW
from services.runtime.aws.landing import push_key, upload_key

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
BATCH = sorted((SAMPLES / "batch").glob("*.json"))
UPLOADS = sorted((SAMPLES / "uploads").glob("*/*"))


def customer(customer_id: str = "0000100001", **overrides: object) -> dict:
    return {
        "customer_id": customer_id,
        "name": "Acme Furniture Inc",
        "aliases": ["ACME"],
        "country": "US",
        "city": "Dallas",
        "active": True,
        **overrides,
    }


def customers_extract(rows: list[dict], number: int = 1, **overrides: object) -> bytes:
    """A ZSDR010 push as SAP sends it; `number` makes the extract id (and so the file) unique."""
    document = {
        "feed": "ZSDR010",
        "extract_id": f"ZSDR010-20261122-{number:04d}",
        "extracted_at": "2026-11-22T02:00:00Z",
        "sap_system": "PRD",
        "record_count": len(rows),
        "records": rows,
        **overrides,
    }
    return json.dumps(document).encode()


def customers_key(number: int = 1) -> str:
    return f"sap/ZSDR010/2026/11/22/ZSDR010-20261122-{number:04d}.json"


def raw_uri(key: str) -> str:
    return f"s3://{BUCKET_RAW}/{key}"


def sample_files() -> dict[str, tuple[str, bytes]]:
    """Every file of samples/ by name: its landing key (as `ior push`/`ior upload` write it)."""
    files = {path.name: (push_key(path), path.read_bytes()) for path in BATCH}
    files |= {
        path.name: (upload_key(path.parent.name, path), path.read_bytes()) for path in UPLOADS
    }
    return files


def s3_notification(key: str, size: int = 100) -> str:
    """The body S3 sends to the ingestion queue for one created object."""
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "eventTime": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "s3": {"bucket": {"name": BUCKET_RAW}, "object": {"key": key, "size": size}},
    }
    return json.dumps({"Records": [record]})
