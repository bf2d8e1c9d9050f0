"""`ior demo`: the pipeline on the embedded emulator with the repo's sample batch.

Starts moto in-process, provisions the topology, runs every available service's worker, pushes the
sample SAP extracts (and uploads, and one file twice to show de-duplication), waits for the chain
to settle and prints what happened. Reports are copied to `--out`, since the emulator's storage
ends with the command.
"""

from __future__ import annotations

import json
import logging
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from contracts.envelope import Envelope
from contracts.topology import (
    COMPARISON_COMPLETED,
    CUSTOMS_LINES_GENERATED,
    EXTRACT_ACCEPTED,
    EXTRACT_REJECTED,
    QUALITY_REPORTED,
    TOPOLOGY,
)
from entrypoints.errors import UsageError
from entrypoints.process import (
    PipelineRun,
    clear_outputs,
    dead_letter_lines,
    find_extract_files,
    provisioned_context,
    run_pipeline,
    write_outputs,
)
from entrypoints.reports import audit_lookup
from entrypoints.text_table import text_table
from services.runtime.aws.blobs import split_uri
from services.runtime.aws.reference_store import ReferenceStore
from services.runtime.context import RuntimeContext, available_services
from services.runtime.logging import configure_logging
from services.runtime.operations.emulator import embedded_emulator
from services.runtime.settings import Settings


def run_demo(samples: Path, out: Path, serve_port: int | None = None) -> int:
    try:
        files = find_extract_files(samples)
    except UsageError as exc:
        print(f"ior: {exc}")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    removed = clear_outputs(out)
    log_file = out / "ior.log"
    _log_to(log_file)
    with embedded_emulator() as endpoint:
        print(f"ior demo: embedded emulator (moto) at {endpoint}")
        if removed:
            print(f"  removed {len(removed)} output(s) of an earlier run from {out}")
        context = provisioned_context(Settings.from_env().on_emulator(endpoint))
        print(
            f"  provisioned {len(TOPOLOGY.topics)} topics, {2 * len(TOPOLOGY.queues)} queues "
            f"(with DLQs), {len(TOPOLOGY.buckets)} buckets, {len(TOPOLOGY.tables)} tables"
        )
        services = available_services()
        print(f"  workers: {', '.join(services)}")
        # The same file again under another name: accepted once, by its SHA-256.
        again = next(f for f in files if f.is_daily)
        files.append(replace(again, landing_name=f"resent-{again.path.name}"))
        run = run_pipeline(context, files, lambda line: print(f"  {line}"))
        _print_extracts(run)
        _print_quality(context, run.events, out)
        _print_freshness(context)
        _print_reports(context, run.events, out)
        _print_dead_letters(run)
        _print_calculations(context, run, out)
        print(f"Logs: {log_file}")
        if serve_port is not None:
            from entrypoints.portal_cli import serve  # noqa: PLC0415 - web stack only when asked

            serve(context, port=serve_port, dev_login=True, workers=True)
    return 0 if run.completed else 1


def _log_to(log_file: Path) -> None:
    handle = log_file.open("w", encoding="utf-8")
    configure_logging("INFO", stream=handle)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def _print_extracts(run: PipelineRun) -> None:
    by_source: dict[str, list[Envelope]] = {}
    for event in run.events:
        if event.type in {EXTRACT_ACCEPTED, EXTRACT_REJECTED}:
            by_source.setdefault(str(event.data["source_uri"]), []).append(event)
    print("\nExtracts")
    print(f"  {'FILE':36} {'FEED':10} {'ACCEPTED':>8} {'REJECTED':>8}  OUTCOME")
    totals = {"accepted": 0, "rejected": 0}
    for uri, extract in run.uris.items():
        found = by_source.get(uri, [])
        accepted = next((e.data for e in found if e.type == EXTRACT_ACCEPTED), None)
        rejected = next((e.data for e in found if e.type == EXTRACT_REJECTED), None)
        n_ok = int(accepted["records"]["row_count"]) if accepted else 0
        n_bad = int(rejected["rejected_count"]) if rejected else 0
        totals["accepted"] += n_ok
        totals["rejected"] += n_bad
        name = Path(split_uri(uri)[1]).name[-36:]
        print(f"  {name:36} {extract.feed:10} {n_ok:>8} {n_bad:>8}  {_outcome(found)}")
    print(
        f"  total: {totals['accepted']} records accepted, {totals['rejected']} rejected, "
        f"{sum(1 for uri in run.uris if not by_source.get(uri))} duplicate file(s) ignored"
    )


def _outcome(found: Sequence[Envelope]) -> str:
    types = {event.type for event in found}
    if not found:
        return "duplicate of an earlier file (same SHA-256): accepted once"
    if EXTRACT_REJECTED not in types:
        return "accepted"
    rejected = next(e.data for e in found if e.type == EXTRACT_REJECTED)
    if rejected["whole_file"]:
        return f"quarantined: {rejected['reason']}"
    return f"partly rejected: {rejected['reason']}" if EXTRACT_ACCEPTED in types else "rejected"


def _print_quality(context: RuntimeContext, events: Sequence[Envelope], out: Path) -> None:
    """Errors and warnings per extract and per rule; the reports are copied to `out/quality/`."""
    reported = sorted(
        (e for e in events if e.type == QUALITY_REPORTED), key=lambda e: str(e.data["extract_id"])
    )
    print("\nQuality")
    print(f"  {'EXTRACT':36} {'ERRORS':>6} {'WARNINGS':>8}")
    per_rule: Counter[tuple[str, str]] = Counter()
    for event in reported:
        uri = str(event.data["report"]["uri"])
        local = out / "quality" / Path(split_uri(uri)[1]).name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(context.blobs.get(*split_uri(uri)))
        for entry in json.loads(local.read_text(encoding="utf-8"))["summary"]:
            per_rule[(entry["severity"], entry["rule"])] += int(entry["count"])
        errors, warnings = event.data["error_count"], event.data["warning_count"]
        print(f"  {event.data['extract_id']!s:36} {errors:>6} {warnings:>8}")
    for (severity, rule), count in sorted(per_rule.items()):
        print(f"    {severity:8} {rule:40} {count:>4}")
    print(f"  reports: {out / 'quality'}" if reported else "  none")


def _print_freshness(context: RuntimeContext) -> None:
    """The last SAP sync of each reference table, as `ior status` would show it."""
    print("\nReference data (last SAP sync)")
    syncs = ReferenceStore(context.clients.dynamodb).syncs()
    rows = [
        (
            sync.feed,
            sync.table,
            sync.extract_id,
            f"{sync.synced_at:%Y-%m-%d %H:%M:%S}",
            sync.row_count,
        )
        for sync in syncs
    ]
    table = text_table(["FEED", "TABLE", "EXTRACT", "SYNCED AT (UTC)", "ROWS"], rows)
    print(textwrap.indent(table, "  ") if syncs else "  none")


def _print_reports(context: RuntimeContext, events: Sequence[Envelope], out: Path) -> None:
    reports = sorted({str(e.data["report_uri"]) for e in events if e.type == EXTRACT_REJECTED})
    print("\nQuarantine reports")
    for uri in reports:
        local = out / "rejections" / Path(split_uri(uri)[1]).name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(context.blobs.get(*split_uri(uri)))
        findings = len(json.loads(local.read_text(encoding="utf-8"))["findings"])
        print(f"  {uri}\n    -> {local} ({findings} finding(s))")
    if not reports:
        print("  none")


def _print_dead_letters(run: PipelineRun) -> None:
    if not run.dead_letters:
        print("\nDead-letter queues: all empty")
        return
    print(f"\nDead-letter queues: {len(run.dead_letters)} message(s) dead-lettered")
    for line in dead_letter_lines(run.dead_letters, endpoint=None):
        print(f"  {line}")


def _print_calculations(context: RuntimeContext, run: PipelineRun, out: Path) -> None:
    """The end of the chain: CALC-ID, workbook, comparison and audit, copied to `out`."""
    write_outputs(context, run, out)
    print("\nCustoms lines")
    for event in run.of_type(CUSTOMS_LINES_GENERATED):
        data, calc_id = event.data, event.data["calc_id"]
        totals = data["totals"]
        print(
            f"  {calc_id}: {data['line_count']} component lines, {data['exception_count']} "
            f"invoice line(s) not declared (exceptions), {data['packaging_count']} packaging "
            "line(s)\n"
            f"    entered value {totals['entered_value_usd']} USD, duty {totals['duty_usd']} USD, "
            f"MPF {totals['mpf_usd']} USD, HMF {totals['hmf_usd']} USD\n"
            f"    workbook: {out / f'{calc_id}.xlsx'}"
        )
        audited = audit_lookup(context, calc_id=calc_id)
        print(f"    audit: {len(audited)} immutable record(s), indexed by CALC-ID, PO and file")
    for event in run.of_type(COMPARISON_COMPLETED):
        data = event.data
        print(
            f"  comparison with SAP (ZSDR002) for {data['calc_id']}: {data['passed']} PASS, "
            f"{data['failed']} FAIL, {data['ours_only']} ours only, {data['theirs_only']} SAP only"
            f"\n    report: {out / 'comparison.json'}, {out / 'comparison.xlsx'}"
        )
    if not run.of_type(CUSTOMS_LINES_GENERATED):
        print("  none")
