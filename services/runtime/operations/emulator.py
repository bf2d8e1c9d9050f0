"""The embedded AWS emulator: a moto server in this process, on a free loopback port."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def embedded_emulator() -> Iterator[str]:
    """Start moto's server in-process; yields its endpoint URL and stops it on exit."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - heavy; only the emulator needs it

    use_emulator_credentials()
    # werkzeug logs every request of the emulator; that is noise for ior's users.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
