"""The workers of one process get a thread for every slot: none waits for another's thread."""

import asyncio
import threading

from services.runtime.messaging.runner import run_until_stopped

SERVICES, CONCURRENCY = 5, 4


class BlockingSlots:
    """A worker whose every slot blocks in a thread until all slots of all workers are in one."""

    def __init__(self, barrier: threading.Barrier) -> None:
        self._barrier = barrier

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            *(asyncio.to_thread(self._barrier.wait, 10) for _ in range(CONCURRENCY))
        )


def test_every_slot_of_every_worker_runs_at_once_whatever_the_cpu_count():
    barrier = threading.Barrier(SERVICES * CONCURRENCY)
    workers = [BlockingSlots(barrier) for _ in range(SERVICES)]
    # A loop of its own: `asyncio.run` would leave the main thread without a current loop, which
    # the Pulumi mocks of tests/pulumi rely on.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(run_until_stopped(workers, asyncio.Event(), CONCURRENCY))  # type: ignore[arg-type]
    finally:
        loop.close()
    assert not barrier.broken
