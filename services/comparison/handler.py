"""Comparison: our customs lines vs SAP's ZSDR002, whichever of the two arrives last.

`customs-lines.generated` compares at once what SAP has declared and registers the calculation
as pending while any of its invoices awaits SAP; `declared-lines.normalized` records which dataset
declares each invoice and runs the pending calculations that include them, and again the current
calculation of each invoice compared already (a later ZSDR002 corrects SAP's lines). Only
differences not alerted before raise an alert (`alerted`), so a repeated result raises none.

A run is identified by the calculation and the SAP datasets it used (`run_id`), not by the event
that triggered it: report keys and event ids derive from it, so a run repeated for any reason (a
re-delivery, or both triggers racing) rewrites identical objects and publishes identical ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import structlog

from contracts.datasets import CalculationRecordV1, CustomsLineV1
from contracts.envelope import Envelope, EventData, new_envelope
from contracts.errors import MalformedEvent
from contracts.events import (
    AlertRaisedV1,
    ComparisonCompletedV1,
    CustomsLinesGeneratedV1,
    DeclaredLinesNormalizedV1,
    ObjectRef,
    Severity,
)
from contracts.result_locations import COMPARISON_REPORT, COMPARISON_WORKBOOK, COMPARISONS_PREFIX
from contracts.topology import BUCKET_PROCESSED
from services.comparison.alerted import AlertedFindings, findings_of
from services.comparison.config import ComparisonConfig
from services.comparison.declarations import DeclarationStore
from services.comparison.invoice_index import Declaration
from services.comparison.matching import compare
from services.comparison.pending import PendingCalc, PendingCalcs
from services.comparison.report import SapSource, report_document, to_json
from services.comparison.results import ComparisonResult, Outcome
from services.comparison.status import ComparisonStatus
from services.comparison.workbook import comparison_workbook
from services.runtime.aws.blobs import BlobStore
from services.runtime.messaging.messages import ConsumedEvent, Handled

log = structlog.get_logger("ior.comparison")
SOURCE = "ior.comparison"
_ALERT_EXAMPLES = 10
_Data = TypeVar("_Data", bound=EventData)


class ComparisonHandler:
    def __init__(
        self,
        blobs: BlobStore,
        declarations: DeclarationStore,
        pending: PendingCalcs,
        status: ComparisonStatus,
        alerted: AlertedFindings,
        *,
        config: ComparisonConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._blobs = blobs
        self._declarations = declarations
        self._pending = pending
        self._status = status
        self._alerted = alerted
        self._config = config
        self._clock = clock

    def on_customs_lines(self, event: ConsumedEvent) -> Handled:
        data = _data(event, CustomsLinesGeneratedV1)
        self._pending.superseded(data.supersedes)
        calc = PendingCalc(
            calc_id=data.calc_id,
            correlationid=event.envelope.correlationid,
            lines=data.lines,
            calculation=data.calculation,
            # An invoice calculated since from a later state is compared there, not here.
            invoice_numbers=tuple(i for i in data.invoice_numbers if i not in data.superseded_by),
        )
        self._pending.remember(calc)
        declared = self._declarations.find(calc.invoice_numbers)
        waiting = len(declared) < len(set(calc.invoice_numbers))
        if waiting:
            self._pending.add(calc)
            # Read again after registering: a ZSDR002 recorded in between either finds this calc
            # pending or is found here (or both, and the run is repeated identically).
            declared = self._declarations.find(calc.invoice_numbers)
        return _handled([self._run(calc, declared, trigger=event.envelope.id, pending=waiting)])

    def on_declared_lines(self, event: ConsumedEvent) -> Handled:
        """Runs the calculations waiting for these invoices, and again those compared already
        (SAP declares more of their invoices, or corrects them: a later ZSDR002 stands)."""
        data = _data(event, DeclaredLinesNormalizedV1)
        self._declarations.record(data.extract_id, data.lines, data.invoice_numbers)
        runs = []
        ran = set()
        for calc in self._pending.covering(data.invoice_numbers):
            if calc.runs_for(event.envelope.id):
                declared = self._declarations.find(calc.invoice_numbers)
                runs.append(self._run(calc, declared, trigger=event.envelope.id, pending=True))
                ran.add(calc.calc_id)
        for calc in self._pending.remembered(data.invoice_numbers):
            if calc.calc_id not in ran:
                declared = self._declarations.find(calc.invoice_numbers)
                runs.append(self._run(calc, declared, trigger=event.envelope.id, pending=False))
        return _handled(runs)

    def _run(
        self,
        calc: PendingCalc,
        declared: Mapping[str, Declaration],
        *,
        trigger: str,
        pending: bool,
    ) -> Handled:
        if not declared:
            log.info("comparison.awaiting_sap", calc_id=calc.calc_id)
            return Handled(())
        ours = [
            CustomsLineV1.model_validate_json(row)
            for row in self._blobs.get_verified(calc.lines).splitlines()
            if row.strip()
        ]
        result = compare(
            calc.calc_id,
            ours,
            self._declarations.load_lines(declared),
            calc_invoices=calc.invoice_numbers,
            declared_invoices=declared.keys(),
            config=self._config,
            not_declared=self._not_declared(calc),
        )
        sources = [
            SapSource(invoice, declaration.extract_id, declaration.lines)
            for invoice, declaration in sorted(declared.items())
        ]
        run_id = _run_id(calc.calc_id, sources)
        report, workbook = self._write_report(result, calc, sources, run_id)
        if pending and not result.awaiting_sap:
            self._pending.complete(calc, trigger)
        self._status.record(result, report.uri, self._clock())
        log.info(
            "comparison.completed",
            calc_id=calc.calc_id,
            result=str(result.outcome),
            passed=result.passed,
            failed=result.failed,
            ours_only=len(result.ours_only),
            theirs_only=len(result.theirs_only),
            awaiting_sap=len(result.awaiting_sap),
        )
        findings = findings_of(result)
        new = sorted(findings - self._alerted.of(calc.calc_id))
        return Handled(
            self._events(calc, result, run_id, report, workbook, new_findings=new),
            after_commit=(lambda: self._alerted.add(calc.calc_id, findings),),
        )

    def _not_declared(self, calc: PendingCalc) -> dict[tuple[str, int], str]:
        """(invoice, line) → why the calculation did not declare it, from its record."""
        if calc.calculation is None:
            return {}
        record = CalculationRecordV1.model_validate_json(self._blobs.get_verified(calc.calculation))
        return {(e.invoice_number, e.line_number): e.reason for e in record.exceptions}

    def _write_report(
        self, result: ComparisonResult, calc: PendingCalc, sources: Sequence[SapSource], run_id: str
    ) -> tuple[ObjectRef, ObjectRef]:
        folder = f"{COMPARISONS_PREFIX}{calc.calc_id}/{run_id}"
        document = report_document(
            result, customs_lines=calc.lines, sap_sources=sources, config=self._config
        )
        rows = len(result.lines) + len(result.ours_only) + len(result.theirs_only)
        report = self._blobs.put(
            BUCKET_PROCESSED,
            f"{folder}/{COMPARISON_REPORT}",
            to_json(document),
            content_type="application/json",
            row_count=rows,
            fmt="json",
        )
        workbook = self._blobs.put(
            BUCKET_PROCESSED,
            f"{folder}/{COMPARISON_WORKBOOK}",
            comparison_workbook(result, sources, self._config),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            row_count=rows,
            fmt="xlsx",
        )
        return report, workbook

    def _events(
        self,
        calc: PendingCalc,
        result: ComparisonResult,
        run_id: str,
        report: ObjectRef,
        workbook: ObjectRef,
        *,
        new_findings: Sequence[str],
    ) -> list[Envelope]:
        events: list[EventData] = [
            ComparisonCompletedV1(
                calc_id=calc.calc_id,
                report=report,
                passed=result.passed,
                failed=result.failed,
                ours_only=len(result.ours_only),
                theirs_only=len(result.theirs_only),
                held_back=len(result.held_back),
            )
        ]
        if result.outcome is Outcome.FAIL and new_findings:
            events.append(_alert(result, report, workbook, new_findings))
        return [
            new_envelope(
                data,
                source=SOURCE,
                subject=calc.calc_id,
                correlationid=calc.correlationid,
                cause=f"{calc.calc_id}:{run_id}",
            )
            for data in events
        ]


def _alert(
    result: ComparisonResult, report: ObjectRef, workbook: ObjectRef, new_findings: Sequence[str]
) -> AlertRaisedV1:
    """The differences not alerted before (the report holds all of them)."""
    more = len(new_findings) - _ALERT_EXAMPLES
    shown = "; ".join(new_findings[:_ALERT_EXAMPLES]) + (f"; and {more} more" if more > 0 else "")
    return AlertRaisedV1(
        severity=Severity.ERROR,
        service="comparison",
        title=(
            f"{result.calc_id} differs from SAP's ZSDR002: {result.failed} line(s) failed, "
            f"{len(result.ours_only)} ours only, {len(result.theirs_only)} SAP only, "
            f"{len(result.held_back)} held back by ior"
        ),
        detail=f"{shown}. Read the comparison report.",
        refs=(report.uri, workbook.uri),
    )


def _handled(runs: Sequence[Handled]) -> Handled:
    return Handled(
        tuple(envelope for run in runs for envelope in run.envelopes),
        tuple(effect for run in runs for effect in run.after_commit),
    )


def _run_id(calc_id: str, sources: Sequence[SapSource]) -> str:
    """The calculation plus the SAP datasets compared with it, as a short stable hex id."""
    used = "|".join(f"{s.invoice_number}={s.lines.sha256}" for s in sources)
    return hashlib.sha256(f"{calc_id}|{used}".encode()).hexdigest()[:16]


def _data(event: ConsumedEvent, model: type[_Data]) -> _Data:
    if not isinstance(event.data, model):
        raise MalformedEvent(f"{event.envelope.type} did not parse as {model.__name__}")
    return event.data
