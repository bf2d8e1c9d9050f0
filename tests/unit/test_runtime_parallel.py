"""Calls side by side: results in order, the caller's log context on every call, errors raised."""

import threading

import pytest
import structlog

from services.runtime.aws.parallel import alongside, side_by_side


def test_results_come_in_the_order_of_the_items():
    assert side_by_side(lambda n: n * n, range(20)) == [n * n for n in range(20)]


def test_every_call_sees_the_context_bound_for_the_message():
    threads = set()

    def bound_service(_: int) -> str | None:
        threads.add(threading.get_ident())
        return structlog.contextvars.get_contextvars().get("service")

    with structlog.contextvars.bound_contextvars(service="normalization"):
        seen = side_by_side(bound_service, range(16), max_workers=4)
    assert seen == ["normalization"] * 16
    assert threading.get_ident() not in threads


def test_an_error_of_one_call_is_raised_to_the_caller():
    def fail_on_three(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    with pytest.raises(ValueError, match="three"):
        side_by_side(fail_on_three, range(6))


def test_a_call_alongside_runs_with_the_block_and_is_waited_for():
    done = threading.Event()

    def slow_write() -> str | None:
        done.wait(5)
        return structlog.contextvars.get_contextvars().get("service")

    with structlog.contextvars.bound_contextvars(service="normalization"):
        with alongside(slow_write) as written:
            done.set()  # the block runs while the call waits for it
        assert written.done() and written.result() == "normalization"


def test_leaving_the_block_raises_the_error_of_the_call_alongside():
    def failing_write() -> None:
        raise ValueError("table refused the rows")

    with pytest.raises(ValueError, match="refused"), alongside(failing_write):
        pass
