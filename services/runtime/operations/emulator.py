"""The embedded AWS emulator: a moto server in this process, on a free loopback port."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

# moto and the SDKs need *some* credentials; these never leave the machine.
EMULATOR_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def use_emulator_credentials() -> None:
    """Make sure the SDKs find credentials without touching a developer's real ones."""
    for name, value in EMULATOR_CREDENTIALS.items():
        os.environ.setdefault(name, value)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# moto reads an item, builds the new one and stores it without a lock, and its server answers
# each request on a thread of its own: two updates of one new item at once keep only the last
# one's attributes, two conditional puts may both succeed. DynamoDB applies each write to an item
# atomically, and the consumers rely on that; one lock around moto's writes restores it.
_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
_WRITE_LOCK = threading.RLock()


def _one_at_a_time(write: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(write)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _WRITE_LOCK:
            return write(*args, **kwargs)

    locked.__dict__["ior_atomic"] = True
    return locked


def make_dynamodb_writes_atomic() -> None:
    """Serialise moto's DynamoDB writes (once per process)."""
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415 - heavy; emulator only

    for name in _DYNAMODB_WRITES:
        write = getattr(DynamoDBBackend, name)
        if not getattr(write, "ior_atomic", False):
            setattr(DynamoDBBackend, name, _one_at_a_time(write))


@contextmanager
def embedded_emulator() -> Iterator[str]:
    """Start moto's server in-process; yields its endpoint URL and stops it on exit."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - heavy; only the emulator needs it

    use_emulator_credentials()
    make_dynamodb_writes_atomic()
    # werkzeug logs every request of the emulator; that is noise for ior's users.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
