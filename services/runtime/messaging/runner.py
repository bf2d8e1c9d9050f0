"""Runs service workers: in the foreground until SIGTERM (`ior worker`), or in a background
thread for the demo and the integration tests (`BackgroundWorkers`)."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from contracts.topology import TOPOLOGY
from services.runtime.context import RuntimeContext, load_app, processor_for
from services.runtime.messaging.worker import QueueWorker


def build_workers(context: RuntimeContext, services: Sequence[str]) -> list[QueueWorker]:
    workers = []
    for service in services:
        app = load_app(service, context)
        queue_url = context.names.queue_url(TOPOLOGY.service(service).queue)
        workers.append(
            QueueWorker(service, queue_url, processor_for(app, context), context.settings)
        )
    return workers


async def run_until_stopped(
    workers: Sequence[QueueWorker], stop: asyncio.Event, concurrency: int
) -> None:
    """Every worker of this process on one loop, with a thread for each of its slots' work and
    one for each slot's heartbeat (lease renewal): the default executor (CPU count + 4 threads)
    would leave slots waiting for a thread, and a heartbeat behind them would let leases lapse."""
    with ThreadPoolExecutor(max_workers=2 * concurrency * len(workers)) as threads:
        asyncio.get_running_loop().set_default_executor(threads)
        await asyncio.gather(*(worker.run(stop) for worker in workers))


def run_forever(context: RuntimeContext, services: Sequence[str]) -> None:
    """Foreground workers; SIGTERM or Ctrl-C stops them gracefully."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        workers = build_workers(context, services)
        await run_until_stopped(workers, stop, context.settings.worker_concurrency)

    asyncio.run(main())


class BackgroundWorkers:
    """Workers on their own event loop in a daemon thread; `close()` stops them gracefully."""

    def __init__(self, context: RuntimeContext, services: Sequence[str]) -> None:
        self._workers = build_workers(context, services)
        self._concurrency = context.settings.worker_concurrency
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="ior-workers", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(
                run_until_stopped(self._workers, self._stop, self._concurrency)
            )
        except BaseException as exc:
            self._error = exc

    def __enter__(self) -> BackgroundWorkers:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._loop.close()
        if self._error is not None:
            raise self._error
