"""A loopback TCP proxy in front of an endpoint, to cut a service off and bring it back.

`stop()` closes the listening socket and every open connection, so clients meet refused and
dropped connections exactly as when a real endpoint goes away; `start()` listens again on the
same port, so clients that kept the URL reconnect. With `bytes_per_second` each connection
carries at most that many bytes a second each way: a slow network, so that work which moves data
takes as long on a fast machine as on a slow one.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class LoopbackProxy:
    def __init__(
        self, target_host: str, target_port: int, bytes_per_second: int | None = None
    ) -> None:
        self._target = (target_host, target_port)
        self._rate = bytes_per_second
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._running = threading.Event()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = int(probe.getsockname()[1])
        probe.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self._listener = listener
        self._running.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        self._running.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by stop()
                return
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        # A tenth of a second's worth at a time, so a limited rate is smooth, not bursts.
        step = 65536 if self._rate is None else max(1, self._rate // 10)
        with contextlib.suppress(OSError):
            while chunk := source.recv(step):
                sink.sendall(chunk)
                if self._rate is not None:
                    time.sleep(len(chunk) / self._rate)
        with self._lock:
            for conn in (source, sink):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
                self._open.discard(conn)
