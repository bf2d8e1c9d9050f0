"""The read model as a pure function of the events: each event becomes `Changes`.

Amounts are kept as the text the events and datasets carry (DynamoDB numbers drop trailing
zeros); a calculation's lines come in already parsed, read by the handler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from contracts.datasets import CustomsLineV1
from contracts.envelope import Envelope, EventData
from contracts.events import (
    AlertRaisedV1,
    ComparisonCompletedV1,
    CustomsLinesGeneratedV1,
    ExtractAcceptedV1,
    ExtractRejectedV1,
    QualityReportedV1,
    ReferenceUpdatedV1,
)
from contracts.result_locations import comparison_workbook_uri
from services.portal import keys
from services.portal.changes import AddToSets, Changes, Item, PutLines, SetFields, Supersede

SUPERSEDED_INVOICES = "superseded_invoices"


def calculation(
    envelope: Envelope, data: CustomsLinesGeneratedV1, lines: Sequence[CustomsLineV1]
) -> Changes:
    dates = sorted({line.entry_date.isoformat() for line in lines})
    head = SetFields(
        keys.calc_pk(data.calc_id),
        keys.CALC_SK,
        {
            "kind": keys.CALCULATION,
            "listed": data.calc_id,  # CALC-YYYYMMDD-HHMMSS-XXXX: sorts by time
            "calc_id": data.calc_id,
            "calculated_at": envelope.time.isoformat(),
            "correlationid": envelope.correlationid,
            "invoice_numbers": list(data.invoice_numbers),
            "po_numbers": list(data.po_numbers),
            "entry_dates": dates,
            "line_count": data.line_count,
            "exception_count": data.exception_count,
            "packaging_count": data.packaging_count,
            "totals": {name: str(value) for name, value in data.totals.model_dump().items()},
            "lines_uri": data.lines.uri,
            "workbook_uri": data.workbook.uri,
            "calculation_uri": data.calculation.uri,
            "supersedes": dict(data.supersedes),
        },
    )
    # What replaced what is recorded on both sides, whichever calculation arrives first.
    marks: list[SetFields | AddToSets] = [head]
    by_calc: dict[str, set[str]] = {}
    for invoice, old in data.supersedes.items():
        by_calc.setdefault(old, set()).add(invoice)
    for old, invoices in sorted(by_calc.items()):
        marks.append(
            AddToSets(keys.calc_pk(old), keys.CALC_SK, {SUPERSEDED_INVOICES: frozenset(invoices)})
        )
    if data.superseded_by:
        marks.append(
            AddToSets(
                keys.calc_pk(data.calc_id),
                keys.CALC_SK,
                {SUPERSEDED_INVOICES: frozenset(data.superseded_by)},
            )
        )
    current = [line for line in lines if line.invoice_number not in data.superseded_by]
    return Changes(
        views=tuple(marks),
        supersessions=tuple(
            Supersede(invoice, old, data.calc_id)
            for invoice, old in sorted(data.supersedes.items())
        ),
        lines=(PutLines(data.calc_id, tuple(line_item(line) for line in current)),),
    )


def line_item(line: CustomsLineV1) -> Item:
    """A customs line as the lines table keeps it: every field, amounts as text."""
    document: dict[str, Any] = line.model_dump(mode="json")
    return {
        "entry_date": line.entry_date.isoformat(),
        "line_key": keys.line_key(line),
        **{name: value for name, value in document.items() if value is not None},
    }


def line_from_item(item: Item) -> CustomsLineV1:
    """The customs line a lines-table item keeps, validated again: the read model's own keys
    left out, and the fields `line_item` left out for being None given back as None."""
    return CustomsLineV1.model_validate(
        {name: item.get(name) for name in CustomsLineV1.model_fields}
    )


def comparison(envelope: Envelope, data: ComparisonCompletedV1) -> Changes:
    return Changes(
        views=(
            SetFields(
                keys.calc_pk(data.calc_id),
                keys.comparison_sk(data.report.uri),
                {
                    "kind": keys.COMPARISON,
                    "listed": f"{envelope.time.isoformat()}#{data.calc_id}",
                    "calc_id": data.calc_id,
                    "compared_at": envelope.time.isoformat(),
                    "passed": data.passed,
                    "failed": data.failed,
                    "ours_only": data.ours_only,
                    "theirs_only": data.theirs_only,
                    "held_back": data.held_back,
                    "report_uri": data.report.uri,
                    "workbook_uri": comparison_workbook_uri(data.report.uri),
                },
            ),
        )
    )


def extract_accepted(envelope: Envelope, data: ExtractAcceptedV1) -> Changes:
    fields: Item = {
        "kind": keys.EXTRACT,
        "listed": f"{envelope.time.isoformat()}#{data.extract_id}",
        "extract_key": data.extract_id,
        "extract_id": data.extract_id,
        "feed": data.feed,
        "status": "accepted",
        "source_uri": data.source_uri,
        "sha256": data.sha256,
        "extracted_at": data.extracted_at.isoformat(),
        "received_at": envelope.time.isoformat(),
        "accepted_count": data.records.row_count,
        "records_uri": data.records.uri,
        "rejected_count": data.rejected_count,
    }
    if data.rejection_report_uri:
        fields["rejection_report_uri"] = data.rejection_report_uri
    freshness = SetFields(
        keys.feed_pk(data.feed),
        keys.FEED_SK,
        {
            "kind": keys.FEED,
            "listed": data.feed,
            "feed": data.feed,
            "extracted_at": data.extracted_at.isoformat(),
            "extract_id": data.extract_id,
            "received_at": envelope.time.isoformat(),
        },
        newer_than="extracted_at",
    )
    return Changes(
        views=(SetFields(keys.extract_pk(data.extract_id), keys.EXTRACT_SK, fields), freshness)
    )


def extract_rejected(envelope: Envelope, data: ExtractRejectedV1) -> Changes:
    """A whole file is an extract of its own; rejected records complete their accepted extract
    (whose event lists them too, and is the one that dates it)."""
    whole = data.whole_file or data.extract_id is None
    key = keys.rejected_file_key(data.sha256) if whole else str(data.extract_id)
    fields: Item = {
        "extract_key": key,
        "rejected_count": data.rejected_count,
        "rejection_reason": data.reason,
        "rejection_report_uri": data.report_uri,
        "findings": [finding.model_dump(mode="json") for finding in data.findings],
    }
    if whole:
        fields |= {
            "kind": keys.EXTRACT,
            "listed": f"{envelope.time.isoformat()}#{key}",
            "status": "rejected",
            "feed": data.feed or "unknown",
            "source_uri": data.source_uri,
            "sha256": data.sha256,
            "received_at": envelope.time.isoformat(),
            "accepted_count": data.accepted_count,
        }
        if data.extract_id:
            fields["extract_id"] = data.extract_id
        if data.quarantined_uri:
            fields["quarantined_uri"] = data.quarantined_uri
    return Changes(views=(SetFields(keys.extract_pk(key), keys.EXTRACT_SK, fields),))


def quality(envelope: Envelope, data: QualityReportedV1) -> Changes:
    return Changes(
        views=(
            SetFields(
                keys.extract_pk(data.extract_id),
                keys.EXTRACT_SK,
                {
                    "extract_key": data.extract_id,
                    "quality_report_uri": data.report.uri,
                    "quality_errors": data.error_count,
                    "quality_warnings": data.warning_count,
                    "quality_reported_at": envelope.time.isoformat(),
                },
            ),
        )
    )


def reference(envelope: Envelope, data: ReferenceUpdatedV1) -> Changes:
    return Changes(
        views=(
            SetFields(
                keys.feed_pk(data.feed),
                keys.FEED_SK,
                {
                    "kind": keys.FEED,
                    "listed": data.feed,
                    "feed": data.feed,
                    "synced_at": data.synced_at.isoformat(),
                    "table": data.table,
                    "snapshot": data.extract_id,
                    "row_count": data.row_count,
                },
                newer_than="synced_at",
            ),
        )
    )


def alert(envelope: Envelope, data: AlertRaisedV1) -> Changes:
    return Changes(
        views=(
            SetFields(
                keys.alert_pk(envelope.id),
                keys.ALERT_SK,
                {
                    "kind": keys.ALERT,
                    "listed": f"{envelope.time.isoformat()}#{envelope.id}",
                    "alert_id": envelope.id,
                    "raised_at": envelope.time.isoformat(),
                    "severity": str(data.severity),
                    "service": data.service,
                    "title": data.title,
                    "detail": data.detail,
                    "refs": list(data.refs),
                    "correlationid": envelope.correlationid,
                },
            ),
        )
    )


Projector = Callable[[Envelope, Any], Changes]

# Every event the read model is built from except the calculation, which needs its lines read.
PROJECTORS: dict[type[EventData], Projector] = {
    ComparisonCompletedV1: comparison,
    ExtractAcceptedV1: extract_accepted,
    ExtractRejectedV1: extract_rejected,
    QualityReportedV1: quality,
    ReferenceUpdatedV1: reference,
    AlertRaisedV1: alert,
}
