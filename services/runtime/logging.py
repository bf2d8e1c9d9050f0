"""structlog configured once: JSON lines, each carrying the bound `service` and `correlationid`;
the same call tells the metrics (`metrics.py`) where to go."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from services.runtime.metrics import configure_metrics


def configure_logging(
    level: str = "INFO", *, json: bool = True, stream: TextIO | None = None
) -> None:
    """JSON for machines (workers, Lambda); `json=False` renders for a person at a terminal.

    The metrics follow the same choice of destination but not the level: to stdout for machines
    (beside the logs on stderr, both read by CloudWatch Logs), into `stream` when the logs go to
    a file (a local run), and nowhere for a person's terminal.
    """
    configure_metrics(stream if stream is not None else sys.stdout if json else None)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )
