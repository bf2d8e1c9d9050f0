"""`ior process DIR --out OUT`: the whole pipeline over a folder of extract files.

Files are named by feed (`ZEMM005-….json`, `zsdr010_customers.csv`, …). As SAP's schedule does,
the reference feeds go first and the daily ZEMM004/ZSDR002 only once the reference tables are
loaded. When the chain has settled, the results are copied into OUT. Exit 0 when everything
passed, 1 when there were rejected records, quality errors, comparison failures or messages a
service dead-lettered (outputs are written all the same), 2 on usage errors.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope
from contracts.feeds import FEEDS
from contracts.result_locations import (
    COMPARISON_REPORT,
    COMPARISON_WORKBOOK,
    comparison_workbook_uri,
)
from contracts.topology import (
    COMPARISON_COMPLETED,
    CUSTOMS_LINES_GENERATED,
    DECLARED_LINES_NORMALIZED,
    EXTRACT_ACCEPTED,
    EXTRACT_REJECTED,
    INVOICES_NORMALIZED,
    QUALITY_REPORTED,
    REFERENCE_UPDATED,
    TOPOLOGY,
)
from entrypoints.errors import UsageError
from entrypoints.reports import audit_lookup
from services.runtime.aws.blobs import split_uri
from services.runtime.aws.landing import UPLOAD_SUFFIXES, land, push_key, upload_key
from services.runtime.aws.queues import queue_depth, wait_until_idle
from services.runtime.context import RuntimeContext, available_services
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.operations import provision
from services.runtime.operations.dlq import PeekedMessage, peek, service_queues
from services.runtime.operations.emulator import embedded_emulator
from services.runtime.operations.observer import EventObserver
from services.runtime.settings import Settings

DAILY_FEEDS = ("ZEMM004", "ZSDR002")
SETTLE_TIMEOUT_SECONDS = 300
OUTPUT_PATTERNS = (
    "CALC-*.xlsx",
    "customs_lines.jsonl",
    COMPARISON_REPORT,
    COMPARISON_WORKBOOK,
    "summary.json",
    "ior.log",
    "audit",
    "quality",
    "rejections",
    "quarantine",  # written by `ior demo` before the rejections had one folder
)
Say = Callable[[str], None]


@dataclass(frozen=True)
class ExtractFile:
    path: Path
    feed: str
    landing_name: str | None = None  # lands under another name (the demo's resent copy)

    @property
    def key(self) -> str:
        if self.path.suffix.lower() in UPLOAD_SUFFIXES:
            key = upload_key(self.feed, self.path)
        else:
            key = push_key(self.path, self.feed)
        return key if self.landing_name is None else key.replace(self.path.name, self.landing_name)

    @property
    def is_daily(self) -> bool:
        return self.feed in DAILY_FEEDS


@dataclass(frozen=True)
class DeadLetter:
    """A message a service gave up on, with the reason the runtime attached to it in the DLQ."""

    service: str
    message_id: str
    type: str | None
    correlationid: str | None
    error_type: str | None
    error_message: str | None
    failed_at: str | None

    @classmethod
    def peeked(cls, service: str, message: PeekedMessage) -> DeadLetter:
        return cls(
            service=service,
            message_id=message.message_id,
            type=message.type,
            correlationid=message.correlationid,
            error_type=message.error_type,
            error_message=message.error_message,
            failed_at=message.failed_at,
        )


@dataclass
class PipelineRun:
    """Everything the chain published while the files were processed, and what it gave up on."""

    files: list[ExtractFile]
    uris: dict[str, ExtractFile] = field(default_factory=dict)
    events: list[Envelope] = field(default_factory=list)
    settled: bool = True
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def of_type(self, event_type: str) -> list[Envelope]:
        return [event for event in self.events if event.type == event_type]

    @property
    def completed(self) -> bool:
        """Every message was handled: the chain settled and no service dead-lettered one."""
        return self.settled and not self.dead_letters

    @property
    def failed(self) -> bool:
        """Any rejected record, quality error, comparison difference or dead letter makes the run
        fail."""
        rejected = any(
            e.data["rejected_count"] or e.data["whole_file"] for e in self.of_type(EXTRACT_REJECTED)
        )
        quality = any(e.data["error_count"] for e in self.of_type(QUALITY_REPORTED))
        compared = any(
            e.data["failed"] or e.data["ours_only"] or e.data["theirs_only"]
            for e in self.of_type(COMPARISON_COMPLETED)
        )
        return rejected or quality or compared or not self.completed


def find_extract_files(folder: Path) -> list[ExtractFile]:
    """Extract files of `folder` (recursively), each named after its feed or in a folder that is."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder")
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() not in {".json", *UPLOAD_SUFFIXES}:
            continue
        feed = next((f for f in FEEDS if path.name.upper().startswith(f)), None) or (
            path.parent.name.upper() if path.parent.name.upper() in FEEDS else None
        )
        if feed is None:
            raise UsageError(f"{path}: name it after its feed (one of {', '.join(sorted(FEEDS))})")
        files.append(ExtractFile(path, feed))
    if not files:
        raise UsageError(f"{folder}: no .json, .csv or .xlsx extract files")
    return files


@contextmanager
def pipeline_context(endpoint: str | None) -> Iterator[RuntimeContext]:
    """A provisioned context on `endpoint`, or on an embedded emulator started for the run."""
    if endpoint:
        yield provisioned_context(Settings.from_env().with_endpoint(endpoint))
        return
    with embedded_emulator() as embedded:
        yield provisioned_context(Settings.from_env().on_emulator(embedded))


def provisioned_context(settings: Settings) -> RuntimeContext:
    # Short polls: the command stops its workers as soon as the chain has settled.
    context = RuntimeContext.from_settings(replace(settings, receive_wait_seconds=1))
    provision.apply(context.clients)
    return context


def run_pipeline(context: RuntimeContext, files: Sequence[ExtractFile], say: Say) -> PipelineRun:
    """Push the reference feeds, let them settle, then the daily feeds."""
    waves = [
        ("reference feeds", [f for f in files if not f.is_daily]),
        ("daily feeds", [f for f in files if f.is_daily]),
    ]
    return run_waves(context, [(label, wave) for label, wave in waves if wave], say)


def run_waves(
    context: RuntimeContext, waves: Sequence[tuple[str, Sequence[ExtractFile]]], say: Say
) -> PipelineRun:
    """Push each wave of files and let the whole chain settle before the next one; a line for
    each stage as its first event arrives, and the counts when a wave has settled."""
    services = available_services()
    queues = [TOPOLOGY.service(name).queue for name in services]
    run = PipelineRun([extract for _, wave in waves for extract in wave])
    # A LocalStack outlives the command: what its DLQs already hold is not this run's doing.
    earlier = {letter.message_id for letter in dead_letters(context, services)}
    with (
        EventObserver(context.clients, context.names) as observer,
        BackgroundWorkers(context, services),
    ):
        for label, batch in waves:
            for extract in batch:
                run.uris[land(context.clients, extract.path, extract.key)] = extract
            say(f"pushed {len(batch)} {label}")
            progress = StageProgress(say)

            def tick(progress: StageProgress = progress) -> None:
                progress.saw(observer.collect(wait_seconds=0))

            run.settled &= wait_until_idle(
                context.clients,
                context.names,
                queues,
                timeout=SETTLE_TIMEOUT_SECONDS,
                on_tick=tick,
            )
            tick()
            run.events += progress.events
            progress.summarize()
    run.dead_letters = [
        letter for letter in dead_letters(context, services) if letter.message_id not in earlier
    ]
    if not run.settled:
        say(f"the pipeline did not settle within {SETTLE_TIMEOUT_SECONDS} s")
    return run


def dead_letters(context: RuntimeContext, services: Sequence[str]) -> list[DeadLetter]:
    """Every message now in the services' DLQs, left there as `ior dlq peek` leaves them."""
    letters = []
    for service in services:
        depth = queue_depth(context.clients, context.names, service_queues(service).dlq)
        for message in peek(context.clients, context.names, service, n=depth.visible):
            letters.append(DeadLetter.peeked(service, message))
    return letters


def dead_letter_lines(letters: Sequence[DeadLetter], endpoint: str | None) -> list[str]:
    """Each dead letter with its reason, then where to look at them: `ior dlq peek` on the
    endpoint the run used (the embedded emulator's queues end with the command)."""
    lines = [
        f"✗ {letter.service}: {letter.type or 'message'} ({letter.correlationid or '-'}) "
        f"{letter.error_type}: {letter.error_message}"
        for letter in letters
    ]
    option = f" --endpoint {endpoint}" if endpoint else ""
    services = sorted({letter.service for letter in letters})
    lines += [f"look: ior dlq peek {service}{option}" for service in services]
    if letters and not endpoint:
        lines.append(
            "(the embedded emulator's queues end with this command; to keep them for peek and "
            "replay, run ior process on a LocalStack with --endpoint)"
        )
    return lines


_STAGES = {
    EXTRACT_ACCEPTED: "ingestion",
    EXTRACT_REJECTED: "ingestion",
    REFERENCE_UPDATED: "normalization",
    INVOICES_NORMALIZED: "normalization",
    DECLARED_LINES_NORMALIZED: "normalization",
    QUALITY_REPORTED: "normalization",
    CUSTOMS_LINES_GENERATED: "customs generation",
    COMPARISON_COMPLETED: "comparison",
}


@dataclass
class StageProgress:
    """Announces each stage once, when its first event of the wave arrives."""

    say: Say
    events: list[Envelope] = field(default_factory=list)
    announced: set[str] = field(default_factory=set)

    def saw(self, events: Sequence[Envelope]) -> None:
        self.events += events
        for event in events:
            stage = _STAGES.get(event.type)
            if stage and stage not in self.announced:
                self.announced.add(stage)
                self.say(f"  ✓ {stage}")

    def summarize(self) -> None:
        for event_type, count in sorted(Counter(e.type for e in self.events).items()):
            self.say(f"      {count:>3} {event_type}")


def clear_outputs(out: Path) -> list[Path]:
    """Remove what an earlier run wrote into `out` (only ior's own output names), so that the
    folder shows this run alone; returns what was removed."""
    found = [path for pattern in OUTPUT_PATTERNS for path in sorted(out.glob(pattern))]
    for path in found:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return found


def write_outputs(context: RuntimeContext, run: PipelineRun, out: Path) -> list[Path]:
    """Copy the results into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def copy(uri: str, name: str) -> None:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(context.blobs.get(*split_uri(uri)))
        written.append(target)

    calculations = run.of_type(CUSTOMS_LINES_GENERATED)
    current = current_lines(
        (event, context.blobs.get(*split_uri(event.data["lines"]["uri"]))) for event in calculations
    )
    if calculations:
        lines_file = out / "customs_lines.jsonl"
        lines_file.write_bytes(current)
        written.append(lines_file)
    for event in calculations:
        calc_id = event.data["calc_id"]
        copy(event.data["workbook"]["uri"], f"{calc_id}.xlsx")
        audit_file = out / "audit" / f"{calc_id}.json"
        audit_file.parent.mkdir(parents=True, exist_ok=True)
        records = audit_lookup(context, calc_id=calc_id)
        audit_file.write_text(json.dumps(records, indent=2, default=str), encoding="utf-8")
        written.append(audit_file)
    for event in run.of_type(COMPARISON_COMPLETED):
        copy(event.data["report"]["uri"], COMPARISON_REPORT)
        copy(comparison_workbook_uri(event.data["report"]["uri"]), COMPARISON_WORKBOOK)
    for event in run.of_type(QUALITY_REPORTED):
        uri = event.data["report"]["uri"]
        copy(uri, f"quality/{Path(split_uri(uri)[1]).name}")
    for event in run.of_type(EXTRACT_REJECTED):
        copy(
            event.data["report_uri"],
            f"rejections/{Path(split_uri(event.data['report_uri'])[1]).name}",
        )
    summary = out / "summary.json"
    summary.write_text(json.dumps(summarize(run), indent=2, default=str), encoding="utf-8")
    written.append(summary)
    return written


def current_lines(calculations: Iterable[tuple[Envelope, bytes]]) -> bytes:
    """The customs lines (JSON lines) of each invoice's current calculation among these: a line
    is left out when its calculation was superseded for its invoice, by a later one of the run
    or, having been calculated from an older state, at birth."""
    calculations = list(calculations)
    superseded = {
        pair
        for event, _ in calculations
        for pair in (
            *((invoice, old) for invoice, old in event.data.get("supersedes", {}).items()),
            *((invoice, event.data["calc_id"]) for invoice in event.data.get("superseded_by", {})),
        )
    }
    return b"".join(
        line + b"\n"
        for event, body in calculations
        for line in body.splitlines()
        if line.strip()
        and (json.loads(line)["invoice_number"], event.data["calc_id"]) not in superseded
    )


def summarize(run: PipelineRun) -> dict[str, Any]:
    accepted = run.of_type(EXTRACT_ACCEPTED)
    return {
        "files": len(run.files),
        "records_accepted": sum(int(e.data["records"]["row_count"]) for e in accepted),
        "records_rejected": sum(
            int(e.data["rejected_count"]) for e in run.of_type(EXTRACT_REJECTED)
        ),
        "invoice_lines_normalized": sum(
            int(e.data["line_count"]) for e in run.of_type(INVOICES_NORMALIZED)
        ),
        "quality_errors": sum(int(e.data["error_count"]) for e in run.of_type(QUALITY_REPORTED)),
        "calc_ids": [e.data["calc_id"] for e in run.of_type(CUSTOMS_LINES_GENERATED)],
        # Every invoice line not declared (rejected, held back, an exception) is counted.
        "calculations": [
            {
                "calc_id": e.data["calc_id"],
                "invoices": len(e.data["invoice_numbers"]),
                "component_lines": e.data["line_count"],
                "lines_not_declared": e.data["exception_count"],
                "supersedes": e.data.get("supersedes", {}),
            }
            for e in run.of_type(CUSTOMS_LINES_GENERATED)
        ],
        "comparisons": [
            {k: e.data[k] for k in ("calc_id", "passed", "failed", "ours_only", "theirs_only")}
            for e in run.of_type(COMPARISON_COMPLETED)
        ],
        "dead_letters": [asdict(letter) for letter in run.dead_letters],
        "settled": run.settled,
        "passed": not run.failed,
    }
