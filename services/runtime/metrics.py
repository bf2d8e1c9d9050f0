"""Metrics as CloudWatch Embedded Metric Format (EMF) log lines: no API call, no agent needed."""

from __future__ import annotations

import time

import structlog

NAMESPACE = "ior"
log = structlog.get_logger("ior.metrics")


def emf_record(service: str, event_type: str, outcome: str, seconds: float) -> dict[str, object]:
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["service", "type"]],
                    "Metrics": [
                        {"Name": "Processed", "Unit": "Count"},
                        {"Name": "Failed", "Unit": "Count"},
                        {"Name": "Duration", "Unit": "Milliseconds"},
                    ],
                }
            ],
        },
        "service": service,
        "type": event_type,
        "outcome": outcome,
        "Processed": 1 if outcome == "done" else 0,
        # A deferred message waits for another worker's lease: not a failure.
        "Failed": 1 if outcome in ("retry", "dead-lettered") else 0,
        "Duration": round(seconds * 1000, 3),
    }


def emit_metrics(service: str, event_type: str, outcome: str, seconds: float) -> None:
    """One JSON log line; its `_aws` member makes CloudWatch Logs extract the metrics."""
    log.info("metrics", **emf_record(service, event_type, outcome, seconds))
