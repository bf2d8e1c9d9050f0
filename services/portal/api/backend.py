"""What the API's routes use, built once at start and injected (no clients at import time)."""

from __future__ import annotations

from dataclasses import dataclass

from services.portal.api.settings import PortalSettings
from services.portal.queries import PortalQueries
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver
from services.runtime.messaging.publisher import Publisher


@dataclass(frozen=True)
class Backend:
    clients: AwsClients
    names: NameResolver
    publisher: Publisher
    queries: PortalQueries
    settings: PortalSettings
