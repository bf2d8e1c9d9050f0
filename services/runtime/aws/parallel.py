"""Independent I/O calls issued side by side on a small thread pool.

Each call runs in a copy of the caller's context, so what the runtime bound for the message being
handled (service, correlation id, event id in structlog's context vars) is on the log lines of the
pool threads too.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_WORKERS = 8


def side_by_side(
    call: Callable[[T], R], items: Iterable[T], max_workers: int = DEFAULT_WORKERS
) -> list[R]:
    """`call(item)` for every item, results in the items' order; the first error is raised."""
    items = list(items)
    if len(items) <= 1:  # no pool for one call
        return [call(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, call, item) for item in items]
        return [future.result() for future in futures]


@contextmanager
def alongside(call: Callable[[], R]) -> Iterator[Future[R]]:
    """`call()` on a thread of its own while the block runs; leaving the block waits for it and
    raises its error, so nothing after the block runs on a write that failed."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(contextvars.copy_context().run, call)
        yield future
    future.result()
