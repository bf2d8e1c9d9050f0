"""Metrics as CloudWatch Embedded Metric Format (EMF): no API call, no agent needed.

Each record is one JSON line whose `_aws` member makes CloudWatch Logs extract the metrics. The
lines go to a stream of their own (stdout unless the entry point chose another, see
`configure_metrics`), not through the logger: `IOR_LOG_LEVEL=WARNING` quietens the logs, never
the metrics the alarms and the dashboard read.

`EMITTED` declares every metric ior emits, with the dimension sets it is emitted under; the
records are built from these declarations only, and a test holds each alarm of the topology to
them (namespace, name and dimensions).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

import structlog

NAMESPACE = "ior"


@dataclass(frozen=True)
class Metric:
    """One metric and the dimension sets CloudWatch aggregates it by."""

    name: str
    unit: str
    dimension_sets: tuple[tuple[str, ...], ...]
    namespace: str = NAMESPACE


# Per event type, and per service over all its types (what the dashboard and alarms read).
_BY_TYPE_AND_SERVICE = (("service", "type"), ("service",))

PROCESSED = Metric("Processed", "Count", _BY_TYPE_AND_SERVICE)
# A message that will be retried or was dead-lettered.
FAILED = Metric("Failed", "Count", _BY_TYPE_AND_SERVICE)
DEAD_LETTERED = Metric("DeadLettered", "Count", _BY_TYPE_AND_SERVICE)
# Put back for later without spending a receive: a live lease, or AWS unavailable (an outage).
DEFERRED = Metric("Deferred", "Count", _BY_TYPE_AND_SERVICE)
DURATION = Metric("Duration", "Milliseconds", _BY_TYPE_AND_SERVICE)
# Events a service published, by type (e.g. the comparison's `ior.alert.raised`: a difference).
PUBLISHED = Metric("Published", "Count", (("service", "type"),))

EMITTED = (PROCESSED, FAILED, DEAD_LETTERED, DEFERRED, DURATION, PUBLISHED)

# The message's outcome (`processor.Outcome` values) → the count metrics it adds 1 to.
_OUTCOME_COUNTS = {
    "done": (PROCESSED,),
    "retry": (FAILED,),
    "dead-lettered": (FAILED, DEAD_LETTERED),
    "deferred": (DEFERRED,),
}
# Log context worth carrying into a metric record, to find the logs of a data point.
_CONTEXT = ("correlationid", "message_id")


def emf_record(
    event: str, values: Mapping[Metric, float], dimensions: Mapping[str, str], **properties: str
) -> dict[str, object]:
    """One EMF record: `values` under every dimension set their metrics declare. It reads as a
    log event too (`event`, `timestamp`), so the logs' readers (benchmarks) find it among them."""
    by_sets: dict[tuple[tuple[str, ...], ...], list[Metric]] = {}
    for metric in values:
        by_sets.setdefault(metric.dimension_sets, []).append(metric)
    directives = [
        {
            "Namespace": metrics[0].namespace,
            "Dimensions": [list(names) for names in sets],
            "Metrics": [{"Name": metric.name, "Unit": metric.unit} for metric in metrics],
        }
        for sets, metrics in by_sets.items()
    ]
    now = time.time()
    return {
        "_aws": {"Timestamp": int(now * 1000), "CloudWatchMetrics": directives},
        "event": event,
        "timestamp": datetime.fromtimestamp(now, UTC).isoformat(),
        **dimensions,
        **properties,
        **{metric.name: value for metric, value in values.items()},
    }


def outcome_record(
    service: str, event_type: str, outcome: str, seconds: float
) -> dict[str, object]:
    """What one message came to: 1 for each count metric of its outcome (0 for the others)."""
    counted = _OUTCOME_COUNTS.get(outcome, ())
    values: dict[Metric, float] = {
        metric: int(metric in counted) for metric in (PROCESSED, FAILED, DEAD_LETTERED, DEFERRED)
    }
    values[DURATION] = round(seconds * 1000, 3)
    return emf_record("metrics", values, {"service": service, "type": event_type}, outcome=outcome)


def published_records(service: str, event_types: Iterable[str]) -> list[dict[str, object]]:
    """One record per event type: how many events of that type `service` published."""
    return [
        emf_record(
            "metrics.published", {PUBLISHED: count}, {"service": service, "type": event_type}
        )
        for event_type, count in Counter(event_types).items()
    ]


class _Writer:
    """Writes whole lines to the chosen stream; the worker's threads share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stream: Callable[[], TextIO | None] = lambda: sys.stdout

    def write(self, record: dict[str, object]) -> None:
        stream = self.stream()
        if stream is None:
            return
        context = structlog.contextvars.get_contextvars()
        record.update({name: context[name] for name in _CONTEXT if name in context})
        line = json.dumps(record, default=str)
        with self._lock:
            stream.write(line + "\n")
            stream.flush()


_writer = _Writer()


def configure_metrics(stream: TextIO | None) -> None:
    """Where the records go from now on; None drops them (a person's terminal)."""
    _writer.stream = lambda: stream


def emit_metrics(service: str, event_type: str, outcome: str, seconds: float) -> None:
    _writer.write(outcome_record(service, event_type, outcome, seconds))


def emit_published(service: str, event_types: Iterable[str]) -> None:
    for record in published_records(service, event_types):
        _writer.write(record)
