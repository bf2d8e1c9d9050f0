"""AWS API calls counted per phase, per service and per operation, with botocore event hooks.

All services share one set of boto3 clients in this process; a call is the service's whose
message is being processed (the runtime binds `service` in structlog's context vars for the
thread that handles it). The workers' own SQS calls (receive, delete, visibility) go through
aiobotocore clients, one per worker; those are told apart by the queue they name. Whatever is
neither is the benchmark's driver (landing files, watching queue depths).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import structlog
from aiobotocore.session import get_session

from contracts.topology import TOPOLOGY
from services.runtime.aws.clients import AwsClients
from services.runtime.messaging import worker

DRIVER = "driver"
_HOOK = "before-parameter-build"  # once per API call, before any retry


class ApiCallCounter:
    def __init__(self) -> None:
        self.phase = "setup"
        self.calls: Counter[tuple[str, str, str]] = Counter()  # (phase, service, operation)
        self.published: Counter[str] = Counter()  # SNS messages published, per phase
        self._queue_services = {service.queue: service.name for service in TOPOLOGY.services}
        self._lock = threading.Lock()

    def attach(self, clients: AwsClients) -> None:
        for client in (clients.s3, clients.sqs, clients.sns, clients.dynamodb, clients.sts):
            client.meta.events.register(_HOOK, self._count_shared)

    @contextmanager
    def counting_workers(self) -> Iterator[None]:
        """Count the calls of the SQS clients the workers create while this is open."""

        def session() -> Any:
            created = get_session()
            created.register(_HOOK, self._count_worker)
            return created

        with mock.patch.object(worker, "get_session", session):
            yield

    def by_service(self, phase: str) -> dict[str, dict[str, int]]:
        """{service: {operation: calls}} of one phase, busiest service first."""
        table: dict[str, Counter[str]] = {}
        for (counted_phase, service, operation), calls in self.calls.items():
            if counted_phase == phase:
                table.setdefault(service, Counter())[operation] += calls
        ordered = sorted(table.items(), key=lambda item: -item[1].total())
        return {service: dict(ops.most_common()) for service, ops in ordered}

    def _count_shared(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        self._add(
            structlog.contextvars.get_contextvars().get("service", DRIVER), event_name, params
        )

    def _count_worker(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        queue = str(params.get("QueueUrl", "")).rsplit("/", 1)[-1]
        self._add(self._queue_services.get(queue, DRIVER), event_name, params)

    def _add(self, service: str, event_name: str, params: dict[str, Any]) -> None:
        operation = event_name.removeprefix(f"{_HOOK}.")
        with self._lock:
            self.calls[(self.phase, service, operation)] += 1
            if operation == "sns.PublishBatch":
                self.published[self.phase] += len(params["PublishBatchRequestEntries"])
