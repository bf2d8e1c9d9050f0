"""The services' own log lines, captured in memory and read back as stage timings.

Every message a service settles ends with one `metrics` line (CloudWatch EMF) carrying the
service, the event type, the outcome and the processing time, stamped when it finished; so the
messages a stage handled, and when, come from the same lines ops would read in CloudWatch.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.runtime.logging import configure_logging


class LogSource(Protocol):
    """Where the services' log lines are read back from: this process's memory, when they run
    as threads in it, or the files of their worker processes."""

    def events(self) -> list[dict[str, Any]]: ...


class LogCapture(io.TextIOBase):
    """A stream structlog prints to; keeps each JSON line (prints write the newline apart)."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        if text.strip():
            with self._lock:
                self._lines.append(text)
        return len(text)

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            lines = list(self._lines)
        return [json.loads(line) for line in lines]


def capture_logs() -> LogCapture:
    """Route the services' JSON logs into memory, at the level production runs them (INFO)."""
    capture = LogCapture()
    configure_logging("INFO", json=True, stream=capture)
    return capture


@dataclass(frozen=True)
class HandledMessage:
    """One message a service settled, from its metrics line (times in epoch seconds)."""

    service: str
    event_type: str
    outcome: str
    started: float
    finished: float

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def handled_messages(events: list[dict[str, Any]]) -> list[HandledMessage]:
    handled = []
    for event in events:
        if event.get("event") != "metrics":
            continue
        finished = datetime.fromisoformat(event["timestamp"]).timestamp()
        handled.append(
            HandledMessage(
                service=event["service"],
                event_type=event["type"],
                outcome=event["outcome"],
                started=finished - event["Duration"] / 1000,
                finished=finished,
            )
        )
    return handled
