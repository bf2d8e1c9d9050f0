"""Queue depths, read the way ops read them."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    visible: int
    in_flight: int
    delayed: int

    @property
    def idle(self) -> bool:
        return self.visible == self.in_flight == self.delayed == 0


def queue_depth(clients: AwsClients, names: NameResolver, queue: str) -> QueueDepth:
    attributes = clients.sqs.get_queue_attributes(
        QueueUrl=names.queue_url(queue),
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return QueueDepth(
        queue=queue,
        visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
    )


def wait_until_idle(
    clients: AwsClients,
    names: NameResolver,
    queues: Sequence[str],
    *,
    timeout: float,
    settle_checks: int = 3,
    interval: float = 0.2,
    on_tick: Callable[[], None] | None = None,
) -> bool:
    """True once every queue has been empty for `settle_checks` checks in a row; `on_tick` runs
    at every check (to show progress while waiting)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        if on_tick is not None:
            on_tick()
        if all(queue_depth(clients, names, queue).idle for queue in queues):
            quiet += 1
            if quiet >= settle_checks:
                return True
        else:
            quiet = 0
        time.sleep(interval)
    return False
