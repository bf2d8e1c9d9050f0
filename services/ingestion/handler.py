"""Ingestion: a file in the raw bucket → accepted records in `processed` + events.

The edges (S3 reads and writes) are the injected blob store; deciding what is accepted is the pure
`locations`/`readers`/`validation` code. Every object key written derives from the file's SHA-256,
so handling the same file again overwrites identical objects and publishes identical event ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

import structlog

from contracts.envelope import Envelope, EventData, new_envelope
from contracts.events import AlertRaisedV1, ExtractAcceptedV1, ExtractRejectedV1, Severity
from contracts.topology import BUCKET_PROCESSED, BUCKET_RAW, RAW_QUARANTINE_PREFIX
from services.ingestion.errors import ExtractUnreadable
from services.ingestion.locations import FileFormat, SourceLocation, parse_location, safe_name
from services.ingestion.readers import read_json_extract, read_table
from services.ingestion.report import RejectionReport, event_findings, summarize
from services.ingestion.validation import (
    Finding,
    ValidatedExtract,
    header_of_push,
    header_of_upload,
    rejected_records,
    validate_records,
)
from services.runtime.aws.blobs import BlobStore, s3_uri
from services.runtime.messaging.messages import Handled

log = structlog.get_logger("ior.ingestion")
SOURCE = "ior.ingestion"
_FEED_NAME = re.compile(r"[A-Z0-9]{1,16}")


@dataclass(frozen=True)
class ReceivedFile:
    """A file as the decoder found it; `body` is None when it was too large to read."""

    bucket: str
    key: str
    size: int
    sha256: str
    received_at: datetime
    body: bytes | None

    @property
    def uri(self) -> str:
        return s3_uri(self.bucket, self.key)

    @property
    def short_sha(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class IngestionLimits:
    max_file_bytes: int
    max_records: int


class IngestionHandler:
    def __init__(self, blobs: BlobStore, limits: IngestionLimits) -> None:
        self._blobs = blobs
        self._limits = limits

    def __call__(self, received: ReceivedFile) -> Sequence[Envelope] | Handled:
        try:
            location = parse_location(received.key)
            validated = self._validate(received, location)
        except ExtractUnreadable as exc:
            return self._reject_whole(received, exc)
        return self._accept(received, validated)

    def _validate(self, received: ReceivedFile, location: SourceLocation) -> ValidatedExtract:
        if received.body is None or received.size > self._limits.max_file_bytes:
            raise ExtractUnreadable(
                f"file is {received.size} bytes, over the limit of "
                f"{self._limits.max_file_bytes}; split it",
                field="file",
            )
        if location.file_format is FileFormat.JSON:
            document = read_json_extract(received.body)
            header = header_of_push(location, document, self._limits.max_records)
        else:
            records = read_table(received.body, location.file_format, self._limits.max_records)
            extract_id = upload_extract_id(location, received)
            header = header_of_upload(location, records, extract_id, received.received_at)
        return validate_records(header)

    def _accept(self, received: ReceivedFile, validated: ValidatedExtract) -> list[Envelope]:
        header = validated.header
        events: list[EventData] = []
        report_uri = None
        if validated.findings:
            report = RejectionReport(
                file=received.uri,
                sha256=received.sha256,
                feed=header.feed,
                extract_id=header.extract_id,
                received_at=received.received_at,
                whole_file=False,
                reason=summarize(validated.findings, validated.rejected_count),
                accepted_count=len(validated.accepted),
                rejected_count=validated.rejected_count,
                quarantined_copy=None,
                findings=validated.findings,
            )
            report_uri = self._write_report(received, header.feed, report)
            events += _rejection_events(report, report_uri, Severity.WARNING)
        if validated.accepted or not validated.findings:
            rejected = rejected_records(validated)
            rejected_ref = (
                self._blobs.put(
                    BUCKET_PROCESSED,
                    f"extracts/{header.feed}/{header.extract_id}-{received.short_sha}.rejected.jsonl",
                    b"".join(json.dumps(r).encode() + b"\n" for r in rejected),
                    content_type="application/x-ndjson",
                    row_count=len(rejected),
                    fmt="jsonl",
                )
                if rejected
                else None
            )
            lines = b"".join(
                json.dumps({"record_index": index, **record.model_dump(mode="json")}).encode()
                + b"\n"
                for index, record in validated.accepted
            )
            records_ref = self._blobs.put(
                BUCKET_PROCESSED,
                f"extracts/{header.feed}/{header.extract_id}-{received.short_sha}.jsonl",
                lines,
                content_type="application/x-ndjson",
                row_count=len(validated.accepted),
                fmt="jsonl",
            )
            events.insert(
                0,
                ExtractAcceptedV1(
                    feed=header.feed,
                    extract_id=header.extract_id,
                    source_uri=received.uri,
                    sha256=received.sha256,
                    extracted_at=header.extracted_at,
                    sap_system=header.sap_system,
                    records=records_ref,
                    rejected_count=validated.rejected_count,
                    rejection_report_uri=report_uri,
                    rejected_records=rejected_ref,
                ),
            )
        log.info(
            "extract.ingested",
            feed=header.feed,
            extract_id=header.extract_id,
            accepted=len(validated.accepted),
            rejected=validated.rejected_count,
        )
        return self._envelopes(received, header.extract_id, events)

    def _reject_whole(self, received: ReceivedFile, exc: ExtractUnreadable) -> Handled:
        feed = feed_of(received.key)
        copy_key = f"{RAW_QUARANTINE_PREFIX}{feed}/{received.short_sha}-{safe_name(received.key)}"
        quarantined = self._blobs.copy(received.bucket, received.key, BUCKET_RAW, copy_key)
        report = RejectionReport(
            file=received.uri,
            sha256=received.sha256,
            feed=feed,
            extract_id=None,
            received_at=received.received_at,
            whole_file=True,
            reason=str(exc),
            accepted_count=0,
            rejected_count=0,
            quarantined_copy=quarantined,
            findings=(Finding(None, exc.field, exc.value, exc.rule),),
        )
        report_uri = self._write_report(received, feed, report)
        log.warning("extract.quarantined", file=received.uri, reason=str(exc), report=report_uri)
        events = _rejection_events(report, report_uri, Severity.ERROR)
        return Handled(
            self._envelopes(received, correlation_id(received), events),
            # "moved" to quarantine: the original goes once the rejection is committed
            after_commit=(lambda: self._blobs.delete(received.bucket, received.key),),
        )

    def _write_report(self, received: ReceivedFile, feed: str, report: RejectionReport) -> str:
        stem = PurePosixPath(safe_name(received.key)).stem
        key = f"{RAW_QUARANTINE_PREFIX}{feed}/{received.short_sha}-{stem}.report.json"
        return self._blobs.put(
            BUCKET_RAW, key, report.to_json(), content_type="application/json"
        ).uri

    def _envelopes(
        self, received: ReceivedFile, correlationid: str, events: Sequence[EventData]
    ) -> list[Envelope]:
        return [
            new_envelope(
                data,
                source=SOURCE,
                subject=correlationid,
                correlationid=correlationid,
                cause=f"{feed_of(received.key)}:sha256:{received.sha256}",
            )
            for data in events
        ]


def correlation_id(received: ReceivedFile) -> str:
    """The chain's correlation id: the extract id when the key tells it, else the file's hash."""
    try:
        location = parse_location(received.key)
    except ExtractUnreadable:
        return f"file-{received.short_sha}"
    return upload_extract_id(location, received) if location.is_upload else location.stem


def upload_extract_id(location: SourceLocation, received: ReceivedFile) -> str:
    """Uploads carry no extract id: `UPLOAD-{FEED}-{yyyymmdd}-{sha}` names one stably."""
    return f"UPLOAD-{location.feed}-{received.received_at:%Y%m%d}-{received.short_sha}"


def feed_of(key: str) -> str:
    """The feed a key is filed under (`sap/{FEED}/…`, `upload/{FEED}/…`), else UNKNOWN.

    Only what could be a feed name counts (a few ASCII letters and digits), because it becomes
    part of object keys and of the idempotency key."""
    parts = key.split("/")
    candidate = parts[1] if len(parts) > 2 else ""
    return candidate if _FEED_NAME.fullmatch(candidate) else "UNKNOWN"


def _rejection_events(
    report: RejectionReport, report_uri: str, severity: Severity
) -> list[EventData]:
    what = report.extract_id or report.file
    return [
        ExtractRejectedV1(
            feed=report.feed,
            extract_id=report.extract_id,
            source_uri=report.file,
            sha256=report.sha256,
            whole_file=report.whole_file,
            reason=report.reason,
            rejected_count=report.rejected_count,
            accepted_count=report.accepted_count,
            report_uri=report_uri,
            quarantined_uri=report.quarantined_copy,
            findings=event_findings(report.findings),
        ),
        AlertRaisedV1(
            severity=severity,
            service="ingestion",
            title=f"{what}: {'file quarantined' if report.whole_file else report.reason}",
            detail=report.reason,
            refs=(report_uri,),
        ),
    ]
