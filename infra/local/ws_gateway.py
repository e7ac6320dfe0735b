"""Local emulator of an Amazon API Gateway WebSocket API (Lambda proxy integration) on aiohttp.

The 32 KB frame quota is enforced both ways by ``ws_frames``. Choices and gaps:
- No route responses are configured: a message integration's ``body`` never goes back to the
  client, which hears from the integration only through ``@connections``.
- A GET on a WebSocket path that is not an upgrade gets ``426 Upgrade Required``.
- SigV4 on ``@connections`` is accepted but not verified.
- Subprotocol negotiation (Sec-WebSocket-Protocol returned by $connect) is not emulated.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WebSocketError, WSMsgType, web

from infra.local.edge import through_edge
from infra.local.ws_frames import OPCODE_BINARY, OPCODE_TEXT, FrameGuard, encode_frames

log = logging.getLogger("patchmon.local.ws")

Invoke = Callable[[str, dict], dict | None]  # blocking, like a Lambda invoke; run via asyncio.to_thread
CONNECT, DISCONNECT, DEFAULT = "$connect", "$disconnect", "$default"
GOING_AWAY = (1001, "Going away")


@dataclass(frozen=True)
class GatewayConfig:
    """Settings of the emulated WebSocket API; defaults are the AWS quotas."""

    api_id: str = "local"
    stage: str = "api"
    region: str = "us-east-1"
    route_selection_key: str = "action"  # $request.body.action
    route_keys: frozenset[str] = frozenset({CONNECT, DISCONNECT, DEFAULT})
    max_message_bytes: int = 128 * 1024
    max_frame_bytes: int = 32 * 1024
    idle_timeout: float = 600.0
    max_duration: float = 7200.0
    answer_pings: bool = False
    disconnect_drop_rate: float = 0.0
    integration_timeout: float = 29.0


def _aws_id() -> str:
    """Return an API-Gateway-like id: 11 random bytes in base64, 16 chars ending in '='."""
    return base64.b64encode(os.urandom(11)).decode()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _multi(items: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


@dataclass(eq=False)
class _Connection:
    id: str
    ws: web.WebSocketResponse
    transport: asyncio.Transport
    source_ip: str
    user_agent: str
    domain: str
    started: float  # loop time, drives the timers
    connected_ms: int
    last_active: float = 0.0
    last_active_ms: int = 0
    queue: asyncio.Queue[tuple[str, dict] | None] = field(default_factory=asyncio.Queue)
    close_code: int | None = None  # first of: gateway-initiated close, client close
    close_reason: str = ""

    def touch(self) -> None:
        self.last_active, self.last_active_ms = asyncio.get_running_loop().time(), _now_ms()

    def frame_too_big(self) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = 1009, "Message too big"


class WebSocketGateway:
    """API Gateway WebSocket API emulator: upgrade routes plus the @connections management API."""

    def __init__(self, config: GatewayConfig, invoke: Invoke, *, rng: Callable[[], float] = random.random, edge_key: str = "") -> None:
        """Create a gateway calling the blocking ``invoke(route_key, event)`` for each route.

        Upgrades arrive as through CloudFront: with the edge's headers, and its key when ``edge_key`` is given.
        """
        self.config = config
        self._invoke = invoke
        self._edge_key = edge_key
        self._rng = rng
        self._connections: dict[str, _Connection] = {}
        self._active: set[asyncio.Future[None]] = set()  # one per upgrade request still being handled
        self._shutting_down = False

    @property
    def connection_count(self) -> int:
        """Number of open, registered connections."""
        return len(self._connections)

    def register(self, app: web.Application, ws_paths: Sequence[str]) -> None:
        """Add the upgrade routes at ``ws_paths`` and the @connections routes to ``app``."""
        for path in ws_paths:
            app.router.add_get(path, self._upgrade, allow_head=False)
        for prefix in ("", f"/{self.config.stage}"):
            path = prefix + "/@connections/{connection_id}"
            app.router.add_post(path, self._post)
            app.router.add_get(path, self._get, allow_head=False)
            app.router.add_delete(path, self._delete)

    async def close_all(self) -> None:
        """Close every client with 1001 and wait until their $disconnect integrations are done."""
        self._shutting_down = True
        await asyncio.gather(*(self._close(c, *GOING_AWAY) for c in list(self._connections.values())), return_exceptions=True)
        if self._active:
            await asyncio.wait(self._active)

    # -- WebSocket side -------------------------------------------------------------------------

    async def _upgrade(self, request: web.Request) -> web.StreamResponse:
        # max_msg_size + 1: aiohttp rejects payloads >= max_msg_size, AWS only those > quota.
        # compress=False keeps the size check exact (API Gateway does not negotiate deflate).
        ws = web.WebSocketResponse(autoping=False, compress=False, max_msg_size=self.config.max_message_bytes + 1)
        if not ws.can_prepare(request).ok or request.transport is None:
            return web.Response(status=426, headers={"Upgrade": "websocket"}, text="Upgrade Required")
        loop = asyncio.get_running_loop()
        now = _now_ms()
        conn = _Connection(
            id=_aws_id(), ws=ws, transport=request.transport, source_ip=request.remote or "", user_agent=request.headers.get("User-Agent", ""),
            domain=request.host, started=loop.time(), connected_ms=now, last_active_ms=now,
        )
        done: asyncio.Future[None] = loop.create_future()
        self._active.add(done)
        try:
            status, body = await self._run_connect(conn, request)
            if self._shutting_down:
                status, body = 503, None
            if not 200 <= status < 300:
                log.info("ws refuse id=%s status=%d", conn.id, status)
                return web.Response(status=status, text=body)
            # Guard before the 101 goes out, so it sees the frame stream from its first byte.
            FrameGuard(conn.transport, self.config.max_frame_bytes, conn.frame_too_big)
            try:
                await ws.prepare(request)
            except ConnectionError:  # the client gave up while $connect ran; aiohttp copes with the unsent response
                log.info("ws refuse id=%s: client left during $connect", conn.id)
                return ws
            conn.started = conn.last_active = loop.time()  # timers run from the open socket
            self._connections[conn.id] = conn
            log.info("ws connect id=%s ip=%s", conn.id, conn.source_ip)
            await self._serve(conn)
            return ws
        finally:
            self._active.discard(done)
            done.set_result(None)

    async def _run_connect(self, conn: _Connection, request: web.Request) -> tuple[int, str | None]:
        """Run $connect; return the HTTP status and body that decide the upgrade."""
        if CONNECT not in self.config.route_keys:
            return 200, None
        headers = through_edge(_multi(request.headers.items()), host=request.host, viewer_ip=conn.source_ip, scheme=request.scheme,
                               edge_key=self._edge_key)
        forwarded = {"X-Forwarded-For": conn.source_ip, "X-Forwarded-Port": str(request.url.port), "X-Forwarded-Proto": request.scheme}
        for name, value in forwarded.items():
            headers.setdefault(name, [value])
        query = _multi(request.query.items()) or None
        event = {
            "headers": {k: v[-1] for k, v in headers.items()},
            "multiValueHeaders": headers,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
            "multiValueQueryStringParameters": query,
            "requestContext": self._context(conn, CONNECT, "CONNECT"),
            "isBase64Encoded": False,
        }
        try:
            response = await self._call(CONNECT, event) or {}
            status, body = int(response.get("statusCode", 200)), response.get("body")
            if not 200 <= status <= 599:
                raise ValueError(f"bad statusCode {status}")
            return status, None if body is None else str(body)
        except Exception as exc:  # integration error, timeout or malformed response
            log.warning("ws $connect integration failed id=%s: %s", conn.id, type(exc).__name__)
            return 500, json.dumps({"message": "Internal server error"})

    async def _serve(self, conn: _Connection) -> None:
        """Pump the socket until it closes, then drain queued invocations and run $disconnect."""
        worker = asyncio.create_task(self._worker(conn))
        try:
            await self._read_loop(conn)
        except Exception:
            log.exception("ws read loop failed id=%s", conn.id)
            await self._close(conn, 1011, "Internal server error")
        finally:
            # Unregister first so @connections calls made from here on get 410.
            self._connections.pop(conn.id, None)
            conn.queue.put_nowait(None)
        await worker
        await self._disconnect(conn)

    async def _read_loop(self, conn: _Connection) -> None:
        ws, cfg, loop = conn.ws, self.config, asyncio.get_running_loop()
        while True:
            # The idle deadline moves on activity (also from @connections POSTs, in another task),
            # so wake at the earliest deadline and re-check rather than trusting one timer.
            deadline = min(conn.last_active + cfg.idle_timeout, conn.started + cfg.max_duration)
            remaining = deadline - loop.time()
            if remaining <= 0:
                await self._close(conn, *GOING_AWAY)
                return
            try:
                msg = await ws.receive(timeout=remaining)
            except TimeoutError:
                continue
            if msg.type is WSMsgType.TEXT:
                await self._on_message(conn, msg.data, False)
            elif msg.type is WSMsgType.BINARY:
                await self._on_message(conn, base64.b64encode(msg.data).decode(), True)
            elif msg.type is WSMsgType.PING:
                if cfg.answer_pings:
                    conn.touch()
                    await ws.pong(msg.data)
            elif msg.type is not WSMsgType.PONG:  # CLOSE, CLOSING, CLOSED or ERROR: the socket is done
                if conn.close_code is None:
                    conn.close_code, conn.close_reason = self._client_close(msg)
                return

    @staticmethod
    def _client_close(msg: Any) -> tuple[int, str]:
        if msg.type is WSMsgType.CLOSE:
            return (msg.data, msg.extra or "") if msg.data else (1005, "Client-side close frame status not set")
        if msg.type is WSMsgType.ERROR and isinstance(msg.data, WebSocketError):
            return msg.data.code, "Message too big" if msg.data.code == 1009 else "Protocol error"
        return 1006, "Connection closed abnormally"

    async def _on_message(self, conn: _Connection, body: str, is_base64: bool) -> None:
        conn.touch()
        route = self._select_route(None if is_base64 else body)
        if route is None:
            await self._send_error(conn, "Forbidden", _aws_id())
            return
        context = self._context(conn, route, "MESSAGE")
        context["messageId"] = _aws_id()
        log.debug("ws message id=%s route=%s bytes=%d", conn.id, route, len(body))
        conn.queue.put_nowait((route, {"requestContext": context, "body": body, "isBase64Encoded": is_base64}))

    def _select_route(self, body: str | None) -> str | None:
        """Evaluate ``$request.body.<key>``; fall back to $default; None means no route matches."""
        try:
            parsed = json.loads(body) if body is not None else None
        except ValueError:
            parsed = None
        key = parsed.get(self.config.route_selection_key) if isinstance(parsed, dict) else None
        if isinstance(key, str) and key in self.config.route_keys and key not in (CONNECT, DISCONNECT):
            return key
        return DEFAULT if DEFAULT in self.config.route_keys else None

    async def _worker(self, conn: _Connection) -> None:
        """Invoke message routes of one connection one at a time, in arrival order."""
        while (item := await conn.queue.get()) is not None:
            route, event = item
            try:
                await self._call(route, event)
            except Exception as exc:
                # Like API Gateway, tell the client; never echo the integration's error text.
                log.warning("ws integration failed id=%s route=%s: %s", conn.id, route, type(exc).__name__)
                message = "Endpoint request timed out" if isinstance(exc, TimeoutError) else "Internal server error"
                await self._send_error(conn, message, event["requestContext"]["requestId"])

    async def _disconnect(self, conn: _Connection) -> None:
        code, reason = conn.close_code or 1006, conn.close_reason
        if DISCONNECT not in self.config.route_keys or self._rng() < self.config.disconnect_drop_rate:
            log.info("ws disconnect id=%s code=%d ($disconnect not delivered)", conn.id, code)
            return
        log.info("ws disconnect id=%s code=%d", conn.id, code)
        headers = {"Host": conn.domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
        context = self._context(conn, DISCONNECT, "DISCONNECT")
        context.update(disconnectStatusCode=code, disconnectReason=reason)
        event = {
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "requestContext": context,
            "isBase64Encoded": False,
        }
        try:
            await self._call(DISCONNECT, event)
        except Exception as exc:
            log.warning("ws $disconnect integration failed id=%s: %s", conn.id, type(exc).__name__)

    async def _call(self, route: str, event: dict) -> dict | None:
        return await asyncio.wait_for(asyncio.to_thread(self._invoke, route, event), self.config.integration_timeout)

    def _context(self, conn: _Connection, route: str, event_type: str) -> dict[str, Any]:
        now, request_id = _now_ms(), _aws_id()
        return {
            "routeKey": route,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now / 1000)),
            "messageDirection": "IN",
            "stage": self.config.stage,
            "connectedAt": conn.connected_ms,
            "requestTimeEpoch": now,
            "identity": {"sourceIp": conn.source_ip, "userAgent": conn.user_agent},
            "requestId": request_id,
            "domainName": conn.domain,
            "connectionId": conn.id,
            "apiId": self.config.api_id,
        }

    async def _send_error(self, conn: _Connection, message: str, request_id: str) -> None:
        payload = {"message": message, "connectionId": conn.id, "requestId": request_id}
        try:
            await conn.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError):
            pass  # the client is already gone

    async def _close(self, conn: _Connection, code: int, reason: str) -> None:
        if conn.close_code is None:
            conn.close_code, conn.close_reason = code, reason
        await conn.ws.close(code=code, message=reason.encode())

    # -- @connections management API ------------------------------------------------------------

    def _lookup(self, request: web.Request) -> _Connection | None:
        conn = self._connections.get(request.match_info["connection_id"])
        return conn if conn is not None and not conn.ws.closed and not conn.transport.is_closing() else None

    async def _post(self, request: web.Request) -> web.Response:
        try:
            data: bytes | None = await request.read()
        except web.HTTPRequestEntityTooLarge:  # the app's client_max_size is below the body
            data = None
        if data is None or len(data) > self.config.max_message_bytes:
            return _error(413, "PayloadTooLargeException", f"Message exceeds {self.config.max_message_bytes} bytes")
        conn = self._lookup(request)
        if conn is None:
            return _gone()
        conn.touch()
        # Straight to the transport, as aiohttp cannot fragment and API Gateway sends 32 KB frames.
        conn.transport.write(encode_frames(data, _opcode(data), self.config.max_frame_bytes))
        return web.Response(status=200)

    async def _get(self, request: web.Request) -> web.Response:
        conn = self._lookup(request)
        if conn is None:
            return _gone()
        # Wire names per the apigatewaymanagementapi model; boto3 maps them to ConnectedAt, Identity, ...
        return web.json_response({
            "connectedAt": _iso(conn.connected_ms),
            "identity": {"sourceIp": conn.source_ip, "userAgent": conn.user_agent},
            "lastActiveAt": _iso(conn.last_active_ms),
        })

    async def _delete(self, request: web.Request) -> web.Response:
        conn = self._lookup(request)
        if conn is None:
            return _gone()
        await self._close(conn, 1000, "Connection Closed Normally")
        return web.Response(status=204)


def _opcode(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return OPCODE_BINARY
    return OPCODE_TEXT


def _error(status: int, error_type: str, message: str | None) -> web.Response:
    return web.json_response({"message": message}, status=status, headers={"x-amzn-ErrorType": error_type})


def _gone() -> web.Response:
    return _error(410, "GoneException", None)
