"""`ior demo`: the pipeline on the embedded emulator with the repo's sample batch.

Starts moto in-process, provisions the topology, runs every available service's worker, pushes the
sample SAP extracts (and uploads, and one file twice to show de-duplication), waits for the chain
to settle and prints what happened. Reports are copied to `--out`, since the emulator's storage
ends with the command.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from contracts.envelope import Envelope
from contracts.topology import EXTRACT_ACCEPTED, EXTRACT_REJECTED, TOPOLOGY
from services.runtime import provision
from services.runtime.blobs import split_uri
from services.runtime.context import RuntimeContext, available_services
from services.runtime.emulator import embedded_emulator
from services.runtime.landing import land, push_key, upload_key
from services.runtime.logging import configure_logging
from services.runtime.observer import EventObserver
from services.runtime.queues import queue_depth, wait_until_idle
from services.runtime.runner import BackgroundWorkers
from services.runtime.settings import Settings

SETTLE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Landed:
    file: Path
    uri: str


def run_demo(samples: Path, out: Path) -> int:
    pushes = sorted((samples / "batch").glob("*.json"))
    uploads = sorted((samples / "uploads").glob("*/*"))
    if not pushes:
        print(f"ior: no sample extracts in {samples / 'batch'}")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    log_file = out / "ior.log"
    _log_to(log_file)
    with embedded_emulator() as endpoint:
        print(f"ior demo: embedded emulator (moto) at {endpoint}")
        # Short polls: the demo stops its workers as soon as the batch has settled.
        settings = replace(Settings.from_env().with_endpoint(endpoint), receive_wait_seconds=1)
        context = RuntimeContext.from_settings(settings)
        provision.apply(context.clients)
        print(
            f"  provisioned {len(TOPOLOGY.topics)} topics, {2 * len(TOPOLOGY.queues)} queues "
            f"(with DLQs), {len(TOPOLOGY.buckets)} buckets, {len(TOPOLOGY.tables)} tables"
        )
        services = available_services()
        print(f"  workers: {', '.join(services)}")
        with (
            EventObserver(context.clients, context.names) as observer,
            BackgroundWorkers(context, services),
        ):
            landed = _land_samples(context, pushes, uploads)
            queues = [TOPOLOGY.service(name).queue for name in services]
            settled = wait_until_idle(
                context.clients, context.names, queues, timeout=SETTLE_TIMEOUT_SECONDS
            )
            events = observer.collect()
        _print_extracts(landed, events)
        _print_reports(context, events, out)
        _print_dead_letters(context, services)
        print(f"Logs: {log_file}")
        if not settled:
            print(f"ior: the pipeline did not settle within {SETTLE_TIMEOUT_SECONDS} s")
            return 1
    return 0


def _log_to(log_file: Path) -> None:
    handle = log_file.open("w", encoding="utf-8")
    configure_logging("INFO", stream=handle)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def _land_samples(
    context: RuntimeContext, pushes: Sequence[Path], uploads: Sequence[Path]
) -> list[Landed]:
    landed = [Landed(file, land(context.clients, file, push_key(file))) for file in pushes]
    for file in uploads:
        landed.append(Landed(file, land(context.clients, file, upload_key(file.parent.name, file))))
    # The same file again under another name: accepted once, by its SHA-256.
    again = pushes[0]
    key = push_key(again).replace(again.name, f"resent-{again.name}")
    landed.append(Landed(again, land(context.clients, again, key)))
    print(f"  pushed {len(pushes)} SAP extracts, {len(uploads)} uploads, 1 file sent twice")
    return landed


def _print_extracts(landed: Sequence[Landed], events: Sequence[Envelope]) -> None:
    by_source: dict[str, list[Envelope]] = {}
    for event in events:
        if event.type in {EXTRACT_ACCEPTED, EXTRACT_REJECTED}:
            by_source.setdefault(str(event.data["source_uri"]), []).append(event)
    print("\nExtracts")
    print(f"  {'FILE':36} {'FEED':10} {'ACCEPTED':>8} {'REJECTED':>8}  OUTCOME")
    totals = {"accepted": 0, "rejected": 0}
    for item in landed:
        found = by_source.get(item.uri, [])
        accepted = next((e.data for e in found if e.type == EXTRACT_ACCEPTED), None)
        rejected = next((e.data for e in found if e.type == EXTRACT_REJECTED), None)
        feed = split_uri(item.uri)[1].split("/")[1]
        n_ok = int(accepted["records"]["row_count"]) if accepted else 0
        n_bad = int(rejected["rejected_count"]) if rejected else 0
        totals["accepted"] += n_ok
        totals["rejected"] += n_bad
        name = Path(split_uri(item.uri)[1]).name[-36:]
        print(f"  {name:36} {feed:10} {n_ok:>8} {n_bad:>8}  {_outcome(found)}")
    print(
        f"  total: {totals['accepted']} records accepted, {totals['rejected']} rejected, "
        f"{sum(1 for i in landed if not by_source.get(i.uri))} duplicate file(s) ignored"
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


def _print_reports(context: RuntimeContext, events: Sequence[Envelope], out: Path) -> None:
    reports = sorted({str(e.data["report_uri"]) for e in events if e.type == EXTRACT_REJECTED})
    print("\nQuarantine reports")
    for uri in reports:
        local = out / "quarantine" / Path(split_uri(uri)[1]).name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(context.blobs.get(*split_uri(uri)))
        findings = len(json.loads(local.read_text(encoding="utf-8"))["findings"])
        print(f"  {uri}\n    -> {local} ({findings} finding(s))")
    if not reports:
        print("  none")


def _print_dead_letters(context: RuntimeContext, services: Sequence[str]) -> None:
    depths = [
        queue_depth(context.clients, context.names, TOPOLOGY.queue(queue).dlq_name)
        for queue in (TOPOLOGY.service(name).queue for name in services)
    ]
    waiting = [d for d in depths if not d.idle]
    print("\nDead-letter queues: " + ("all empty" if not waiting else ""))
    for depth in waiting:
        print(f"  {depth.queue}: {depth.visible} message(s)")
