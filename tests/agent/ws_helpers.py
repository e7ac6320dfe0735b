"""Servers and a runner for the agent WebSocket client's tests: a real WebSocket server (the `websockets` library),
a raw socket server for answers no correct server gives, and an HTTP CONNECT proxy."""
from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from patchmon_agent.ws import AgentSocket

CREDENTIALS = {"X-API-ID": "patchmon_test", "X-API-KEY": "k" * 32}
LOG = logging.getLogger("tests.agent.ws")


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Poll ``predicate`` until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class Recorder:
    """A WebSocket handler that records each connection; ``script(ws, record)`` runs first on each."""

    def __init__(self, script: Callable[[ServerConnection, dict], None] | None = None, *, answer_heartbeats: bool = True) -> None:
        self.script = script
        self.answer_heartbeats = answer_heartbeats
        self.connections: list[dict[str, Any]] = []

    def __call__(self, ws: ServerConnection) -> None:
        record: dict[str, Any] = {"ws": ws, "headers": ws.request.headers, "received": [], "opened": time.monotonic(), "closed": None}
        self.connections.append(record)
        try:
            if self.script is not None:
                self.script(ws, record)
            for message in ws:
                record["received"].append(message)
                if self.answer_heartbeats and message == '{"action":"ping"}':
                    ws.send('{"type":"pong","time":"now"}')
        except ConnectionClosed:
            pass
        record.update(closed=time.monotonic(), code=ws.close_code, reason=ws.close_reason)

    def received(self) -> list[str]:
        return [m for c in self.connections for m in c["received"]]


@contextlib.contextmanager
def ws_server(handler: Callable[[ServerConnection], None], *, ssl_context: ssl.SSLContext | None = None,
              process_request: Callable[..., Any] | None = None) -> Iterator[str]:
    """Serve WebSockets on a free local port; yield the agent URL."""
    server = serve(handler, "127.0.0.1", 0, ssl=ssl_context, process_request=process_request, ping_interval=None, compression=None,
                   close_timeout=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.socket.getsockname()[1]
    try:
        yield f"{'wss' if ssl_context else 'ws'}://127.0.0.1:{port}/api/v1/agents/ws"
    finally:
        server.shutdown()
        thread.join(5)


@contextlib.contextmanager
def raw_server(respond: Callable[[socket.socket, str], None]) -> Iterator[int]:
    """Accept one connection, read the request head and let ``respond(conn, head)`` answer; yield the port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one() -> None:
        conn, _ = listener.accept()
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            respond(conn, head.decode("iso-8859-1"))

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(5)


class ConnectProxy:
    """A minimal HTTP proxy that only does CONNECT; records each request head."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        self.requests.append(head.decode())
        host, port = head.split(b" ")[1].decode().rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Running:
    """Run an AgentSocket on a thread; leaving the block sets ``stop`` and waits for ``run`` to return."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.messages: list[dict] = []
        self.events: list[str] = []
        kwargs.setdefault("logger", LOG)
        self.socket = AgentSocket(url, dict(CREDENTIALS), self.messages.append, on_connect=lambda: self.events.append("connect"),
                                  on_disconnect=lambda: self.events.append("disconnect"), **kwargs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.socket.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive(), "AgentSocket.run did not return after stop"
