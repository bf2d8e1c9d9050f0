"""One run of the pipeline benchmark, in one mode, in a process of its own.

`python -m benchmarks.measure.run --batch DIR --result FILE [--endpoint URL]
[--in-process | --processes]` (benchmarks/pipeline.py starts it once per run, so each run has a
fresh emulator and its own peak RSS). The services run as worker threads in this process, as
`ior process` runs them; with `--processes` each in a worker process of its own, as deployed;
with `--in-process` they are called directly, without queues. The batch goes in as `ior process`
pushes it: the weekly reference feeds, then, once they have settled, the daily feeds. Each phase
is timed from its first S3 put to the last audit record written for it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.measure.api_calls import ApiCallCounter
from benchmarks.measure.in_process import DirectDispatch
from benchmarks.measure.logs import LogSource, capture_logs, handled_messages
from benchmarks.measure.phases import phase_summary, published_by_phase, run_outcome
from benchmarks.measure.worker_processes import WorkerDied, WorkerProcesses
from contracts.topology import BUCKET_RAW, QUEUE_INGESTION, TOPOLOGY
from entrypoints.process import find_extract_files, pipeline_context
from services.runtime.aws.queues import wait_until_idle
from services.runtime.context import RuntimeContext, available_services
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.operations.emulator import use_emulator_credentials

SETTLE_TIMEOUT_SECONDS = 600
Batch = dict[str, list["Push"]]
# How the services run: called directly, worker threads in this process, or worker processes.
IN_PROCESS, THREADS, PROCESSES = "in-process", "threads", "processes"


def _process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class PhaseClock:
    """When each phase started (epoch seconds, as log lines are stamped) and the CPU time spent
    until it settled: by this whole process (every thread: workers, and the emulator if
    embedded), and by the worker processes when the services run in their own (`cpu`)."""

    started: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    cpu: Callable[[], float] = _process_cpu_seconds

    def start(self, phase: str) -> None:
        self.started[phase] = time.time()
        self.cpu_seconds[phase] = -self.cpu()

    def stop(self, phase: str) -> None:
        self.cpu_seconds[phase] += self.cpu()


@dataclass(frozen=True)
class Push:
    key: str
    body: bytes


def batch_by_phase(folder: Path) -> Batch:
    """The batch's files as pushed, reference feeds first. A header field the extract model
    ignores makes each file new to this run, so an endpoint kept across runs (LocalStack)
    ingests it instead of recognising the same SHA-256 as a duplicate."""
    run_id = f'{{"benchmark_run":"{uuid.uuid4().hex}",'.encode()
    phases: Batch = {"reference": [], "daily": []}
    for extract in find_extract_files(folder):
        body = extract.path.read_bytes()
        unique = run_id + body.lstrip()[1:] if extract.path.suffix == ".json" else body
        phases["daily" if extract.is_daily else "reference"].append(Push(extract.key, unique))
    return phases


def run(folder: Path, endpoint: str | None, layout: str) -> dict[str, Any]:
    use_emulator_credentials()
    batch = batch_by_phase(folder)
    capture = capture_logs()
    counter = ApiCallCounter()
    clock = PhaseClock()
    workers: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch, pipeline_context(endpoint) as context:
        counter.attach(context.clients)
        if layout == IN_PROCESS:
            published = _directly(context, batch, counter, clock)
            events = capture.events()
        elif layout == THREADS:
            published = _through_threads(context, batch, counter, capture, clock)
            events = capture.events()
        else:
            events, workers = _through_processes(context, batch, counter, clock, Path(scratch))
            published = published_by_phase(events, clock.started)
    handled = handled_messages(events)
    started = clock.started
    ends = [*(started[phase] for phase in list(batch)[1:]), math.inf]
    return {
        "mode": mode_name(endpoint, layout),
        "endpoint": endpoint,
        "files": {phase: len(pushes) for phase, pushes in batch.items()},
        "phases": {
            phase: phase_summary(
                [m for m in handled if started[phase] <= m.started < end],
                start=started[phase],
                cpu_seconds=clock.cpu_seconds[phase],
                api_calls=counter.by_service(phase),
                published=published[phase] + len(batch[phase]),  # + one S3 notification a file
            )
            for phase, end in zip(batch, ends, strict=True)
        },
        "outcome": run_outcome(events),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers": workers,
        "load_average_1min_at_end": os.getloadavg()[0],
    }


def mode_name(endpoint: str | None, layout: str) -> str:
    if layout == IN_PROCESS:
        return "in-process"
    storage = "localstack" if endpoint else "emulator"
    return storage if layout == THREADS else f"{storage}-processes"


def _through_threads(
    context: RuntimeContext,
    batch: Batch,
    counter: ApiCallCounter,
    capture: LogSource,
    clock: PhaseClock,
) -> Counter[str]:
    """Every service on its queue, as `ior process` runs them (one process, worker threads)."""
    with counter.counting_workers(), BackgroundWorkers(context, available_services()):
        _push_and_settle(context, batch, counter, capture, clock)
    return counter.published


def _through_processes(
    context: RuntimeContext, batch: Batch, counter: ApiCallCounter, clock: PhaseClock, folder: Path
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Every service on its queue in a worker process of its own, as deployed. Returns the
    workers' log lines and their peak RSS and CPU time; their AWS calls are not counted (their
    clients are out of reach), only this process's own, the driver's."""
    with WorkerProcesses(available_services(), context.settings, folder) as workers:
        clock.cpu = lambda: _process_cpu_seconds() + workers.cpu_seconds()
        _push_and_settle(context, batch, counter, workers.logs, clock, workers.check_alive)
        usage = workers.usage()
    return workers.logs.events(), usage


def _push_and_settle(
    context: RuntimeContext,
    batch: Batch,
    counter: ApiCallCounter,
    logs: LogSource,
    clock: PhaseClock,
    on_tick: Callable[[], None] | None = None,
) -> None:
    """Each phase: its files put, ingestion seen taking them all, then every queue idle."""
    queues = [TOPOLOGY.service(name).queue for name in available_services()]
    for phase, pushes in batch.items():
        counter.phase = phase
        expected = _handled_by(logs, "ingestion") + len(pushes)
        clock.start(phase)
        for push in pushes:
            _put(context, push)
        _wait_for(lambda want=expected: _handled_by(logs, "ingestion") >= want, on_tick)
        wait_until_idle(
            context.clients,
            context.names,
            queues,
            timeout=SETTLE_TIMEOUT_SECONDS,
            interval=0.5,
            settle_checks=2,
            on_tick=on_tick,
        )
        clock.stop(phase)


def _directly(
    context: RuntimeContext, batch: Batch, counter: ApiCallCounter, clock: PhaseClock
) -> Counter[str]:
    """The baseline: the same apps called one message after the other, no queues."""
    dispatch = DirectDispatch(context)
    for phase, pushes in batch.items():
        counter.phase = dispatch.phase = phase
        clock.start(phase)
        for push in pushes:
            _put(context, push)
            dispatch.object_created(push.key, len(push.body))
        dispatch.run_until_idle()
        clock.stop(phase)
    counter.phase = "teardown"
    _drain(context, QUEUE_INGESTION)  # the notifications S3 sent anyway; nobody consumed them
    return dispatch.published


def _put(context: RuntimeContext, push: Push) -> None:
    context.clients.s3.put_object(Bucket=BUCKET_RAW, Key=push.key, Body=push.body)


def _handled_by(logs: LogSource, service: str) -> int:
    return sum(1 for message in handled_messages(logs.events()) if message.service == service)


def _wait_for(
    condition: Callable[[], bool],
    on_tick: Callable[[], None] | None,
    timeout: float = SETTLE_TIMEOUT_SECONDS,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if on_tick is not None:
            on_tick()
        if time.monotonic() > deadline:
            raise TimeoutError(f"the pipeline did not get going within {timeout} s")
        time.sleep(0.1)


def _drain(context: RuntimeContext, queue: str) -> None:
    sqs, url = context.clients.sqs, context.names.queue_url(queue)
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=Path, required=True, help="folder of extract files")
    parser.add_argument("--endpoint", help="AWS endpoint URL (LocalStack); default: embedded moto")
    layouts = parser.add_mutually_exclusive_group()
    layouts.add_argument("--in-process", action="store_true", help="the baseline: no queues")
    layouts.add_argument(
        "--processes", action="store_true", help="every service in a worker process of its own"
    )
    parser.add_argument("--result", type=Path, required=True, help="where to write the JSON")
    arguments = parser.parse_args()
    # A SIGTERM (a cancelled job, `timeout`) unwinds like Ctrl-C, so that the workers are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    layout = IN_PROCESS if arguments.in_process else PROCESSES if arguments.processes else THREADS
    try:
        result = run(arguments.batch, arguments.endpoint, layout)
    except WorkerDied as exc:
        sys.exit(f"benchmark run failed: {exc}")
    arguments.result.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
