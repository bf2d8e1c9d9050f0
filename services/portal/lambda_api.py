"""The portal's API as an AWS Lambda function behind API Gateway's HTTP API (Mangum).

The app is built at the first invocation, not at import: settings and clients come from the
function's environment (`IOR_OIDC_*`, `IOR_SESSION_SECRET`), read once per container.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
from mangum import Mangum

from services.portal.app import api_app
from services.runtime.context import RuntimeContext
from services.runtime.logging import configure_logging
from services.runtime.settings import Settings


@cache
def _adapter() -> Mangum:
    settings = Settings.from_env()
    configure_logging(settings.level(), json=True)
    app = api_app(RuntimeContext.from_settings(settings), httpx.Client(timeout=10))
    return Mangum(app, lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = _adapter()(event, context)
    return response
