"""The rejection report written to `quarantine/`: what a person needs to fix and re-push."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from contracts.events import RejectedRecordV1
from services.ingestion.validation import Finding

EVENT_FINDINGS = 20  # the event carries the first findings; the report holds them all


@dataclass(frozen=True)
class RejectionReport:
    file: str
    sha256: str
    feed: str | None
    extract_id: str | None
    received_at: datetime
    whole_file: bool
    reason: str
    accepted_count: int
    rejected_count: int
    quarantined_copy: str | None
    findings: tuple[Finding, ...]

    def to_json(self) -> bytes:
        document = asdict(self)
        document["received_at"] = self.received_at.isoformat()
        return json.dumps(document, indent=2, ensure_ascii=False).encode()


def summarize(findings: Sequence[Finding], rejected_count: int) -> str:
    """One line for the event and the alert, e.g. "2 records rejected: quantity, hts_code"."""
    fields = sorted({finding.field for finding in findings})
    noun = "record" if rejected_count == 1 else "records"
    return f"{rejected_count} {noun} rejected: {', '.join(fields)}"


def event_findings(findings: Sequence[Finding]) -> tuple[RejectedRecordV1, ...]:
    return tuple(
        RejectedRecordV1(
            record_index=finding.record_index,
            field=finding.field,
            value=finding.value,
            rule=finding.rule,
        )
        for finding in findings[:EVENT_FINDINGS]
    )
