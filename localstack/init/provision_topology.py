"""`ior up` for the inside of the LocalStack container, run by ready.d/10-provision-ior.sh.

The LocalStack image has Python and boto3 but not ior's other dependencies. The provisioner needs
only boto3 and structlog (for one log line), so this script runs the product's own
`services.runtime.operations.provision.apply` - the one provisioning truth - and, when structlog
is absent, gives it a stand-in that writes through `logging`. It waits for DynamoDB Local first:
compose starts both containers at once.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
import types
from typing import Any

DYNAMODB_WAIT_SECONDS = 60


class _KeywordLogger:
    """structlog's `log.info("event", key=value)` on top of a stdlib logger."""

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)

    def __getattr__(self, level: str) -> Any:
        method = getattr(self._logger, level)
        return lambda event, **fields: method("%s %s", event, fields)


def _provide_structlog() -> None:
    if importlib.util.find_spec("structlog") is not None:
        return
    stand_in = types.ModuleType("structlog")
    stand_in.get_logger = _KeywordLogger  # type: ignore[attr-defined]
    sys.modules["structlog"] = stand_in


def _wait_for_dynamodb(clients: Any) -> None:
    deadline = time.monotonic() + DYNAMODB_WAIT_SECONDS
    while True:
        try:
            clients.dynamodb.list_tables(Limit=1)
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"ior: DynamoDB does not answer after {DYNAMODB_WAIT_SECONDS} s: {exc}"
                ) from exc
            time.sleep(1)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    _provide_structlog()
    from services.runtime.aws.clients import AwsClients  # noqa: PLC0415
    from services.runtime.operations import provision  # noqa: PLC0415 - after the structlog stand-in
    from services.runtime.settings import Settings  # noqa: PLC0415

    settings = Settings.from_env()
    clients = AwsClients.from_settings(settings)
    _wait_for_dynamodb(clients)
    provision.apply(clients)
    print(f"ior: topology applied at {settings.endpoint_url} ({settings.region})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
