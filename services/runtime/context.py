"""Everything a service edge needs, built once from the settings and injected."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from contracts.topology import TOPOLOGY
from services.runtime.aws.blobs import BlobStore
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver
from services.runtime.messaging.claimcheck import ClaimCheckStore
from services.runtime.messaging.dead_letters import DeadLetters
from services.runtime.messaging.deferrals import Deferrals
from services.runtime.messaging.idempotency import IdempotencyStore
from services.runtime.messaging.messages import ServiceApp
from services.runtime.messaging.processor import MessageProcessor
from services.runtime.messaging.publisher import Publisher
from services.runtime.settings import Settings

SERVICE_NAMES = tuple(service.name for service in TOPOLOGY.services)


@dataclass(frozen=True)
class RuntimeContext:
    settings: Settings
    clients: AwsClients
    names: NameResolver
    blobs: BlobStore
    claim_checks: ClaimCheckStore
    publisher: Publisher
    idempotency: IdempotencyStore

    @classmethod
    def from_settings(cls, settings: Settings) -> RuntimeContext:
        clients = AwsClients.from_settings(settings)
        names = NameResolver(clients)
        blobs = BlobStore(clients.s3, expected_owner=names.account_id)
        claim_checks = ClaimCheckStore(blobs, settings.claim_check_threshold_bytes)
        return cls(
            settings=settings,
            clients=clients,
            names=names,
            blobs=blobs,
            claim_checks=claim_checks,
            publisher=Publisher(clients.sns, names, claim_checks),
            idempotency=IdempotencyStore(
                clients.dynamodb,
                lease_seconds=settings.claim_lease_seconds,
                retention_days=settings.idempotency_retention_days,
            ),
        )


def load_app(service: str, context: RuntimeContext) -> ServiceApp:
    """The service's app from `services.<name>.app.build`; the runtime never imports a service
    statically, so services stay independent of each other and of this package's internals."""
    if service not in SERVICE_NAMES:
        raise KeyError(f"unknown service {service!r}; expected one of {', '.join(SERVICE_NAMES)}")
    build: Callable[[RuntimeContext], ServiceApp] = service_module(service).build
    return build(context)


def service_module(service: str) -> ModuleType:
    """`services.<name>.app`, the module of a service's public builders, imported by name so
    that entry points reach a service only through it (the portal's API app is built there)."""
    if service not in SERVICE_NAMES:
        raise KeyError(f"unknown service {service!r}; expected one of {', '.join(SERVICE_NAMES)}")
    return importlib.import_module(f"services.{service}.app")


def available_services() -> tuple[str, ...]:
    """Services whose package is present in this build (later issues add the rest)."""
    return tuple(name for name in SERVICE_NAMES if _has_module(f"services.{name}.app"))


def _has_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:  # the parent package itself is absent
        return False


def processor_for(app: ServiceApp, context: RuntimeContext) -> MessageProcessor:
    queue = TOPOLOGY.queue(TOPOLOGY.service(app.name).queue)
    sqs = context.clients.sqs
    return MessageProcessor(
        app,
        context.idempotency,
        context.publisher,
        DeadLetters(sqs, context.names.queue_url(queue.dlq_name), app.name),
        queue.max_receive_count,
        deferrals=Deferrals(
            sqs,
            context.names.queue_url(queue.name),
            recheck_seconds=context.settings.visibility_heartbeat_seconds,
            transient_budget_seconds=context.settings.transient_retry_budget_seconds,
        ),
    )
