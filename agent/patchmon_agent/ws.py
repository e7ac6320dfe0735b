"""The agent's WebSocket to the server (`/api/v1/agents/ws`), kept open across API Gateway's limits.

API Gateway closes a WebSocket after 10 minutes without a message and after 2 hours in any case
(shared/spec/aws-and-tooling-facts.md §5). So `AgentSocket`:

- sends `{"action": "ping"}` after ``heartbeat_seconds`` (240 s) without a data message in either
  direction. Our WebSocket API has only `$connect`, `$disconnect` and `$default`, so every client
  message costs a `$default` Lambda invocation, which answers `{"type": "pong"}` (one more message).
  While the server's keepalive (`{"type": "connected"}` every minute, chalicelib/realtime/agents.py)
  flows, the heartbeat is never due and costs nothing; without it, a heartbeat every 4 minutes is
  10,800 invocations (256 MB, ~50 ms) + 21,600 messages ≈ $0.026 per host-month. The answer doubles
  as a liveness check: no frame at all within ``reply_timeout`` after a heartbeat means a dead connection;
- opens a new connection after ``max_age_seconds`` × U(0.9, 1.0) (6600 s: 99–110 min) and only then
  closes the old one, so presence never drops (a `$disconnect` does not clear a newer connection);
- reconnects with exponential backoff and full jitter (1 → 32 s), reset after a stable connection;
- answers pings, reassembles fragments, sends frames of at most 16 KiB (the gateway's quota is 32 KB)
  and closes with 1000 when ``stop`` is set.

Sockets are used only by the thread in `run`; `send` queues and wakes it, and `on_message` runs on a
dispatcher thread, so a handler that takes minutes (a full report) never stalls pings or heartbeats.
`{"type": "pong"}` and `{"type": "connected"}` are transport keepalives and never reach `on_message`.
"""
from __future__ import annotations

import json
import logging
import queue
import random
import select
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from patchmon_agent import __version__
from patchmon_agent import ws_frames as wf
from patchmon_agent.ws_transport import Connection, HandshakeError, WebSocketError, open_connection, proxy_for

WS_PATH = "/api/v1/agents/ws"
HEARTBEAT = {"action": "ping"}  # routed by `action` to $default; the server answers {"type": "pong"}
HEARTBEAT_BYTES = json.dumps(HEARTBEAT, separators=(",", ":")).encode()
# Transport-level messages, never handed to on_message: the server's answer to our heartbeat, and its own
# keepalive, which the official agent ignores silently (reference-agent.md §11) and arrives every minute.
_KEEPALIVES = frozenset({"pong", "connected"})
_ORDINARY_CLOSES = frozenset({wf.CLOSE_NORMAL, wf.CLOSE_GOING_AWAY, wf.CLOSE_ABNORMAL})  # server closed, idle/age limit, lost
_SCHEMES = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}
_TICK = 0.5  # how often the loop looks at `stop`
_module_log = logging.getLogger("patchmon_agent.ws")


def ws_url(server_url: str) -> str:
    """Return the agent WebSocket URL for a server URL: https→wss, http→ws, path /api/v1/agents/ws."""
    url = server_url.strip()
    if "://" not in url:
        _module_log.warning("server URL has no scheme, using wss://")
        url = "wss://" + url
    scheme, rest = url.split("://", 1)
    if scheme.lower() not in _SCHEMES:
        raise ValueError(f"unsupported server URL scheme {scheme!r}")
    return f"{_SCHEMES[scheme.lower()]}://{rest.rstrip('/')}{WS_PATH}"


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 32.0, rng: Callable[[], float] = random.random) -> float:
    """Return the wait before retry ``attempt`` (0-based): full jitter, uniform in [0, min(cap, base·2^attempt)]."""
    return rng() * min(cap, base * 2 ** min(attempt, 30))


class _Dispatcher(threading.Thread):
    """Call ``on_message`` for each message, in order, on its own thread."""

    def __init__(self, handler: Callable[[dict], None], log: Any, limit: int) -> None:
        super().__init__(name="patchmon-ws-dispatch", daemon=True)
        self._handler, self._log, self._limit = handler, log, limit
        self._queue: queue.Queue[dict | None] = queue.Queue()

    def submit(self, message: dict) -> None:
        if self._queue.qsize() >= self._limit:
            self._log.warning("websocket message dropped: handler busy (type=%s)", message.get("type"))
            return
        self._queue.put(message)

    def finish(self) -> None:
        self._queue.put(None)

    def run(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._handler(message)
            except Exception:
                self._log.exception("websocket message handler failed (type=%s)", message.get("type"))


class AgentSocket:
    """Keep one WebSocket to the server open until stopped and hand each server message to ``on_message``."""

    max_send_bytes = 128_000  # API Gateway's message quota is 128 KB
    max_receive_bytes = 128 * 1024
    frame_bytes = 16 * 1024
    backoff_base = 1.0
    backoff_cap = 32.0
    stable_seconds = 60.0  # a connection that lasted this long resets the backoff
    reply_timeout = 30.0  # after a heartbeat, the longest wait for any frame before the connection counts as dead
    inbound_resets_heartbeat = True  # API Gateway's idle timer counts messages both ways
    rotation_retry_seconds = 30.0
    queue_limit = 64

    def __init__(self, url: str, headers: dict, on_message: Callable[[dict], None], *, verify_tls: bool = True,
                 heartbeat_seconds: float = 240, max_age_seconds: float = 6600, logger: Any = None, connect_timeout: float = 10,
                 on_connect: Callable[[], None] | None = None, on_disconnect: Callable[[], None] | None = None) -> None:
        """Prepare (not open) a socket to ``url`` sending ``headers`` (X-API-ID, X-API-KEY) on each upgrade."""
        self.url = url
        # X-Agent-Heartbeat tells the server this agent keeps the connection alive itself, so it sends no keepalive.
        self.headers = {"User-Agent": f"patchmon-agent/{__version__} (python)", "X-Agent-Heartbeat": str(int(heartbeat_seconds)), **headers}
        self.on_message = on_message
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.verify_tls = verify_tls
        self.heartbeat_seconds = heartbeat_seconds
        self.max_age_seconds = max_age_seconds
        self.connect_timeout = connect_timeout
        self.log = logger or _module_log
        self.rng: Callable[[], float] = random.random
        self.connection_count = 0  # successful upgrades, rotations included
        self._outbox: queue.Queue[bytes] = queue.Queue()
        self._lock = threading.Lock()
        self._connected = False
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None

    @property
    def connected(self) -> bool:
        """True while a connection is open."""
        return self._connected

    def send(self, message: dict) -> bool:
        """Queue a JSON message for the open connection (any thread); False, and dropped, when not connected."""
        payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
        if len(payload) > self.max_send_bytes:
            raise ValueError(f"message of {len(payload)} bytes exceeds {self.max_send_bytes}")
        with self._lock:
            if not self._connected or self._outbox.qsize() >= self.queue_limit:
                return False
            self._outbox.put(payload)
            self._wake()
        return True

    def run(self, stop: threading.Event) -> None:
        """Connect, deliver messages and reconnect until ``stop`` is set; then close cleanly."""
        dispatcher = _Dispatcher(self.on_message, self.log, self.queue_limit)
        dispatcher.start()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        failures = 0
        try:
            while not stop.is_set():
                conn = self._connect(failures)
                if conn is not None:
                    started = time.monotonic()
                    self._set_connected(True)
                    try:
                        self._session(conn, stop, dispatcher)
                    finally:
                        self._set_connected(False)
                    if stop.is_set():
                        break
                    if time.monotonic() - started >= self.stable_seconds:
                        failures = 0
                stop.wait(backoff_delay(failures, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng))
                failures += 1
        finally:
            dispatcher.finish()
            for sock in (self._wake_r, self._wake_w):
                sock.close()

    # -- connections ------------------------------------------------------------------------------

    def _connect(self, failures: int) -> Connection | None:
        """Open a connection; log and return None on failure (the first of a streak as a warning)."""
        target = urllib.parse.urlsplit(self.url)
        try:
            conn = open_connection(self.url, self.headers, verify_tls=self.verify_tls, timeout=self.connect_timeout,
                                   max_message=self.max_receive_bytes, frame_bytes=self.frame_bytes,
                                   proxy=proxy_for(target.scheme, target.hostname or ""))
        except (OSError, WebSocketError, ValueError) as exc:
            level = logging.WARNING if failures == 0 else logging.DEBUG
            self.log.log(level, "websocket connect failed (attempt %d): %s", failures + 1, _describe(exc))
            return None
        except Exception:  # a bug must not end the agent's only channel for commands: log it and retry later
            self.log.exception("websocket connect failed unexpectedly")
            return None
        self.connection_count += 1
        self.log.info("websocket connected to %s", self.url)
        return conn

    def _set_connected(self, value: bool) -> None:
        with self._lock:
            self._connected = value
            if not value:
                self._drain_outbox()  # stale by the next connection (e.g. a terminal session that is gone)
        callback = self.on_connect if value else self.on_disconnect
        if callback is not None:
            try:
                callback()
            except Exception:
                self.log.exception("websocket %s callback failed", "connect" if value else "disconnect")

    def _session(self, conn: Connection, stop: threading.Event, dispatcher: _Dispatcher) -> None:
        """Serve one connection (and the ones that replace it at max age) until it ends or ``stop`` is set."""
        rotate_at = self._rotation_time(conn)
        heartbeat_sent: float | None = None
        try:
            while not stop.is_set():
                now = time.monotonic()
                if now >= rotate_at:
                    conn, rotate_at = self._rotate(conn, dispatcher)
                    heartbeat_sent = None
                    continue
                if heartbeat_sent is not None and conn.last_frame_at >= heartbeat_sent:
                    heartbeat_sent = None
                if heartbeat_sent is not None and now - heartbeat_sent > self.reply_timeout:
                    self.log.warning("websocket heartbeat unanswered for %.0fs, reconnecting", now - heartbeat_sent)
                    conn.abort()
                    return
                if heartbeat_sent is None:
                    due = self._last_activity(conn) + self.heartbeat_seconds
                    if now >= due:
                        conn.send_message(wf.OP_TEXT, HEARTBEAT_BYTES)
                        heartbeat_sent = now
                        self.log.debug("websocket heartbeat sent")
                        continue
                else:
                    due = heartbeat_sent + self.reply_timeout
                self._pump(conn, dispatcher, timeout=max(0.0, min(_TICK, rotate_at - now, due - now)))
                if conn.closed:
                    level = logging.INFO if conn.close_code in _ORDINARY_CLOSES else logging.WARNING
                    self.log.log(level, "websocket closed: %d %s", conn.close_code, conn.close_reason)
                    conn.abort()
                    return
            conn.close(wf.CLOSE_NORMAL, "agent stopping", wait=2.0)
            self.log.info("websocket closed")
        except OSError as exc:
            self.log.info("websocket connection lost: %s", _describe(exc))
            conn.abort()
        except Exception:  # as in _connect: reconnect rather than let the thread die
            self.log.exception("websocket session failed")
            conn.abort()

    def _pump(self, conn: Connection, dispatcher: _Dispatcher, *, timeout: float) -> None:
        """Wait up to ``timeout`` for input or a queued send; deliver messages, flush the outbox."""
        assert self._wake_r is not None
        readable = [conn] if conn.buffered() else select.select([conn, self._wake_r], [], [], timeout)[0]
        if self._wake_r in readable:
            try:
                self._wake_r.recv(4096)
            except BlockingIOError:
                pass
        self._flush(conn)
        if conn in readable:
            for opcode, payload in conn.read(timeout=10.0):
                self._deliver(opcode, payload, dispatcher)

    def _rotate(self, old: Connection, dispatcher: _Dispatcher) -> tuple[Connection, float]:
        """Open the next connection before closing ``old`` (make before break); keep ``old`` if that fails."""
        new = self._connect(0)
        if new is None:
            return old, time.monotonic() + self.rotation_retry_seconds
        old.close(wf.CLOSE_NORMAL, "reconnecting", wait=3.0, deliver=lambda op, data: self._deliver(op, data, dispatcher))
        self.log.info("websocket rotated after %.0fs", time.monotonic() - old.opened_at)
        return new, self._rotation_time(new)

    def _rotation_time(self, conn: Connection) -> float:
        return conn.opened_at + self.max_age_seconds * (1.0 - 0.1 * self.rng())

    def _last_activity(self, conn: Connection) -> float:
        return max(conn.last_sent_at, conn.last_received_at) if self.inbound_resets_heartbeat else conn.last_sent_at

    # -- messages ---------------------------------------------------------------------------------

    def _deliver(self, opcode: int, payload: bytes, dispatcher: _Dispatcher) -> None:
        if opcode != wf.OP_TEXT:
            self.log.warning("websocket binary message ignored (%d bytes)", len(payload))
            return
        try:
            message = json.loads(payload.decode("utf-8"))
        except ValueError:
            self.log.warning("websocket message ignored: not JSON (%d bytes)", len(payload))
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if not isinstance(kind, str):
            # API Gateway reports integration failures as {"message": ..., "connectionId": ..., "requestId": ...}.
            detail = message.get("message") if isinstance(message, dict) else None
            self.log.warning("websocket message ignored: no type%s", f" ({str(detail)[:200]})" if detail else "")
            return
        if kind in _KEEPALIVES:
            self.log.debug("websocket keepalive received (%s)", kind)
            return
        dispatcher.submit(message)

    def _flush(self, conn: Connection) -> None:
        while True:
            try:
                payload = self._outbox.get_nowait()
            except queue.Empty:
                return
            conn.send_message(wf.OP_TEXT, payload)

    def _drain_outbox(self) -> None:
        while True:
            try:
                self._outbox.get_nowait()
            except queue.Empty:
                return

    def _wake(self) -> None:
        if self._wake_w is not None:
            try:
                self._wake_w.send(b"\0")
            except OSError:
                pass  # already awake (buffer full) or shutting down


def _describe(exc: BaseException) -> str:
    if isinstance(exc, HandshakeError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
