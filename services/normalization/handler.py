"""Normalization: an accepted extract → reference tables or datasets, a quality report, events.

The loader of each feed is registered in one mapping; the quality report and the envelopes are
the same for every feed. Event ids derive from the consumed event, so handling it again (after a
crash, or a replay) publishes the same ids, which downstream idempotency recognises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import structlog

from contracts.envelope import Envelope, EventData, new_envelope
from contracts.errors import MalformedEvent
from contracts.events import AlertRaisedV1, ExtractAcceptedV1, QualityReportedV1, Severity
from contracts.feeds import FEEDS
from contracts.topology import BUCKET_PROCESSED
from services.normalization import locations
from services.normalization.daily_loads import DailyLoader
from services.normalization.errors import UnsupportedFeed
from services.normalization.outcome import LoadOutcome
from services.normalization.quality import Finding
from services.normalization.record_checks import RECORD_CHECKS
from services.normalization.records import Indexed, parse_records
from services.normalization.reference_loads import ReferenceLoader
from services.normalization.reference_rows import REFERENCE_FEEDS
from services.normalization.report import QualityReport
from services.runtime.aws.blobs import BlobStore
from services.runtime.messaging.messages import ConsumedEvent

log = structlog.get_logger("ior.normalization")
SOURCE = "ior.normalization"
Loader = Callable[[ExtractAcceptedV1, Sequence[Indexed[Any]]], LoadOutcome]


class NormalizationHandler:
    def __init__(
        self,
        blobs: BlobStore,
        references: ReferenceLoader,
        daily: DailyLoader,
        clock: Callable[[], datetime],
    ) -> None:
        self._blobs = blobs
        self._clock = clock
        self._loaders: dict[str, Loader] = {
            **dict.fromkeys(REFERENCE_FEEDS, references.load_snapshot),
            "ZEMM004": daily.normalize_invoices,
            "ZSDR002": daily.store_declared_lines,
        }

    def __call__(self, consumed: ConsumedEvent) -> list[Envelope]:
        accepted = consumed.data
        if not isinstance(accepted, ExtractAcceptedV1):
            raise MalformedEvent(f"normalization handles extract.accepted, not {type(accepted)}")
        loader = self._loaders.get(accepted.feed)
        if loader is None:
            raise UnsupportedFeed(accepted.feed)
        body = self._blobs.get_verified(accepted.records)
        records = parse_records(body, FEEDS[accepted.feed])
        outcome = loader(accepted, records)
        report = QualityReport(
            feed=accepted.feed,
            extract_id=accepted.extract_id,
            records_uri=accepted.records.uri,
            generated_at=self._clock(),
            findings=(*_record_findings(accepted, records), *outcome.findings),
            excluded_records=outcome.excluded_records,
        )
        events = [*outcome.events, *self._report_events(accepted, report)]
        log.info(
            "extract.normalized",
            feed=accepted.feed,
            extract_id=accepted.extract_id,
            records=len(records),
            errors=report.error_count,
            warnings=report.warning_count,
        )
        return [
            new_envelope(
                data,
                source=SOURCE,
                subject=accepted.extract_id,
                correlationid=consumed.envelope.correlationid,
                cause=consumed.envelope.id,
            )
            for data in events
        ]

    def _report_events(self, accepted: ExtractAcceptedV1, report: QualityReport) -> list[EventData]:
        ref = self._blobs.put(
            BUCKET_PROCESSED,
            locations.quality_report_key(accepted),
            report.to_json(),
            content_type="application/json",
            row_count=len(report.findings),
        )
        events: list[EventData] = [
            QualityReportedV1(
                extract_id=accepted.extract_id,
                feed=accepted.feed,
                report=ref,
                error_count=report.error_count,
                warning_count=report.warning_count,
            )
        ]
        if report.error_count:
            events.append(
                AlertRaisedV1(
                    severity=Severity.ERROR,
                    service="normalization",
                    title=f"{accepted.extract_id}: quality errors held records back",
                    detail=report.headline(),
                    refs=(ref.uri,),
                )
            )
        return events


def _record_findings(accepted: ExtractAcceptedV1, records: Sequence[Indexed[Any]]) -> list[Finding]:
    check = RECORD_CHECKS.get(accepted.feed)
    if check is None:
        return []
    return [
        Finding.of(issue, accepted.feed, accepted.extract_id, index)
        for index, record in records
        for issue in check(record)
    ]
