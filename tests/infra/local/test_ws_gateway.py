"""Behaviour of the local API Gateway WebSocket emulator, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import itertools
import json
import logging
import random
import re
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aiohttp import web
from botocore.config import Config
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from infra.local import ws_gateway
from infra.local.ws_frames import FrameGuard
from infra.local.ws_gateway import GatewayConfig, WebSocketGateway

pytestmark = pytest.mark.timeout(30)

LIMIT = 128 * 1024
FRAME = 32 * 1024
ID_PATTERN = re.compile(r"^[A-Za-z0-9+/]{15}=$")


@dataclass
class Recorder:
    """Fake Lambda integration: records every event and answers like a small Chalice app."""

    delay: dict[str, float] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)
    events: list[tuple[str, dict]] = field(default_factory=list)
    peak: int = 0
    _active: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, route: str, event: dict) -> dict | None:
        with self._cond:
            self.events.append((route, event))
            self._active += 1
            self.peak = max(self.peak, self._active)
            self._cond.notify_all()
        try:
            time.sleep(self.delay.get(route, 0))
            if route in self.fail:
                raise RuntimeError("integration exploded")
            query = event.get("queryStringParameters") or {}
            if route == "$connect" and query.get("refuse") == "1":
                return {"statusCode": 401, "body": "go away"}
            return {"statusCode": 200, "body": "never sent back"}
        finally:
            with self._cond:
                self._active -= 1

    def of(self, route: str) -> list[dict]:
        with self._cond:
            return [event for key, event in self.events if key == route]

    def wait_for(self, route: str, count: int = 1, timeout: float = 2.0) -> list[dict]:
        with self._cond:
            self._cond.wait_for(lambda: len([1 for key, _ in self.events if key == route]) >= count, timeout)
        events = self.of(route)
        assert len(events) >= count, f"expected {count} {route} events, got {len(events)}"
        return events

    def messages(self) -> list[dict]:
        with self._cond:
            return [event for _, event in self.events if event["requestContext"]["eventType"] == "MESSAGE"]


@dataclass
class Stack:
    """A gateway served by aiohttp on an ephemeral port, in the background event loop."""

    gateway: WebSocketGateway
    recorder: Recorder
    loop: asyncio.AbstractEventLoop
    runner: web.AppRunner
    port: int

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def connect(self, query: str = "", **kwargs) -> ClientConnection:
        options = {"proxy": None, "ping_interval": None, "open_timeout": 3, "close_timeout": 2} | kwargs
        return connect(f"ws://127.0.0.1:{self.port}/ws{query}", **options)

    def connection_id(self, index: int = 0) -> str:
        return self.recorder.wait_for("$connect", index + 1)[index]["requestContext"]["connectionId"]

    def management(self, path: str = "") -> Any:
        return boto3.client(
            "apigatewaymanagementapi",
            endpoint_url=f"http://127.0.0.1:{self.port}{path}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )

    def raw(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3)
        try:
            conn.request(method, path, body=body)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.fixture
def start(loop: asyncio.AbstractEventLoop) -> Iterator[Callable[..., Stack]]:
    stacks: list[Stack] = []

    def _start(rng: Callable[[], float] = random.random, recorder: Recorder | None = None, **overrides) -> Stack:
        recorder = recorder or Recorder()
        gateway = WebSocketGateway(GatewayConfig(**overrides), recorder, rng=rng)

        async def up() -> tuple[web.AppRunner, int]:
            app = web.Application()
            gateway.register(app, ["/ws"])
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            return runner, runner.addresses[0][1]

        runner, port = asyncio.run_coroutine_threadsafe(up(), loop).result(5)
        stack = Stack(gateway, recorder, loop, runner, port)
        stacks.append(stack)
        return stack

    yield _start
    for stack in stacks:
        stack.run(stack.gateway.close_all())
        stack.run(stack.runner.cleanup())


def wait_closed(ws: ClientConnection, timeout: float = 3.0) -> ConnectionClosed:
    """Block until the server closes the socket; return the close as the client saw it."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=timeout)
    return closed.value


def keep_busy(action: Callable[[], object], seconds: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        action()
        time.sleep(every)


# -- $connect ---------------------------------------------------------------------------------------


def test_connect_event_carries_headers_and_query_when_client_connects(start: Callable[..., Stack]) -> None:
    """$connect gets the upgrade's headers, query string and an API-Gateway-shaped requestContext."""
    # Given
    stack = start()
    # When
    with stack.connect("?tenant=acme&tag=a&tag=b", additional_headers={"X-API-ID": "host-1"}, user_agent_header="agent/1"):
        event = stack.recorder.wait_for("$connect")[0]
    # Then
    assert event["headers"]["X-API-ID"] == "host-1"
    assert event["multiValueHeaders"]["X-API-ID"] == ["host-1"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["queryStringParameters"] == {"tenant": "acme", "tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tenant": ["acme"], "tag": ["a", "b"]}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert ID_PATTERN.match(context["connectionId"])
    assert context["routeKey"] == "$connect"
    assert context["eventType"] == "CONNECT"
    assert context["messageDirection"] == "IN"
    assert context["stage"] == "api"
    assert context["apiId"] == "local"
    assert context["domainName"] == f"127.0.0.1:{stack.port}"
    assert context["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "agent/1"}
    assert re.match(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$", context["requestTime"])
    assert abs(context["connectedAt"] - time.time() * 1000) < 5000
    assert context["requestTimeEpoch"] >= context["connectedAt"]
    assert context["requestId"] == context["extendedRequestId"]


def test_query_parameters_are_none_when_url_has_no_query(start: Callable[..., Stack]) -> None:
    """Without a query string both query fields are null, as in API Gateway."""
    stack = start()
    with stack.connect():
        event = stack.recorder.wait_for("$connect")[0]
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


def test_client_gets_http_status_when_connect_is_refused(start: Callable[..., Stack]) -> None:
    """A non-2xx $connect answer becomes the handshake's HTTP status; no connection, no $disconnect."""
    # Given
    stack = start()
    # When
    with pytest.raises(InvalidStatus) as refused:
        stack.connect("?refuse=1")
    # Then
    assert refused.value.response.status_code == 401
    assert refused.value.response.body == b"go away"
    time.sleep(0.2)
    assert stack.recorder.of("$disconnect") == []
    assert stack.gateway.connection_count == 0


def test_upgrade_is_refused_with_500_when_connect_integration_raises(start: Callable[..., Stack]) -> None:
    """An integration error on $connect refuses the upgrade with API Gateway's 500 body."""
    stack = start(recorder=Recorder(fail={"$connect"}))
    with pytest.raises(InvalidStatus) as refused:
        stack.connect()
    assert refused.value.response.status_code == 500
    assert json.loads(refused.value.response.body) == {"message": "Internal server error"}
    assert stack.gateway.connection_count == 0


def test_upgrade_is_refused_with_500_when_connect_integration_times_out(start: Callable[..., Stack]) -> None:
    """$connect running past the integration timeout refuses the upgrade with 500."""
    stack = start(recorder=Recorder(delay={"$connect": 1.0}), integration_timeout=0.2)
    with pytest.raises(InvalidStatus) as refused:
        stack.connect()
    assert refused.value.response.status_code == 500


def test_nothing_is_registered_or_logged_as_error_when_client_leaves_during_connect(
    start: Callable[..., Stack], caplog: pytest.LogCaptureFixture
) -> None:
    """A client that gives up while $connect runs leaves no connection and no ERROR log."""
    stack = start(recorder=Recorder(delay={"$connect": 0.4}))
    with pytest.raises(TimeoutError):
        stack.connect(open_timeout=0.1)
    time.sleep(0.6)
    assert stack.gateway.connection_count == 0
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_plain_get_gets_426_when_request_is_not_an_upgrade(start: Callable[..., Stack]) -> None:
    """A GET without WebSocket upgrade headers answers 426 and invokes nothing."""
    stack = start()
    status, headers, _ = stack.raw("GET", "/ws")
    assert status == 426
    assert headers["Upgrade"] == "websocket"
    assert stack.recorder.events == []


# -- messages and routing ---------------------------------------------------------------------------


def test_message_routes_to_matching_key_when_action_is_known(start: Callable[..., Stack]) -> None:
    """A JSON body whose action is a route key selects that route."""
    stack = start(route_keys=frozenset({"$connect", "$disconnect", "$default", "report"}))
    body = json.dumps({"action": "report", "n": 1})
    with stack.connect() as ws:
        ws.send(body)
        event = stack.recorder.wait_for("report")[0]
    assert event["body"] == body
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["eventType"] == "MESSAGE"
    assert context["routeKey"] == "report"
    assert ID_PATTERN.match(context["messageId"])
    assert context["connectionId"] == stack.connection_id()


def test_message_routes_to_default_when_action_is_unknown(start: Callable[..., Stack]) -> None:
    """An action that names no route falls back to $default."""
    stack = start(route_keys=frozenset({"$connect", "$disconnect", "$default", "report"}))
    with stack.connect() as ws:
        ws.send(json.dumps({"action": "unknown"}))
        event = stack.recorder.wait_for("$default")[0]
    assert event["requestContext"]["routeKey"] == "$default"


def test_message_routes_to_default_when_body_is_not_json(start: Callable[..., Stack]) -> None:
    """A body that is not JSON goes to $default unchanged."""
    stack = start(route_keys=frozenset({"$connect", "$disconnect", "$default", "report"}))
    with stack.connect() as ws:
        ws.send("report please")
        event = stack.recorder.wait_for("$default")[0]
    assert event["body"] == "report please"


def test_client_gets_forbidden_when_no_route_matches_and_no_default(start: Callable[..., Stack]) -> None:
    """Without a matching route or $default the client gets API Gateway's Forbidden message."""
    stack = start(route_keys=frozenset({"$connect", "$disconnect", "report"}))
    with stack.connect() as ws:
        ws.send(json.dumps({"action": "other"}))
        reply = json.loads(ws.recv(timeout=2))
    assert reply["message"] == "Forbidden"
    assert reply["connectionId"] == stack.connection_id()
    assert ID_PATTERN.match(reply["requestId"])
    assert stack.recorder.messages() == []


def test_binary_message_is_base64_when_client_sends_bytes(start: Callable[..., Stack]) -> None:
    """Binary frames reach $default base64-encoded with isBase64Encoded true."""
    stack = start()
    with stack.connect() as ws:
        ws.send(b"\x00\xffbin")
        event = stack.recorder.wait_for("$default")[0]
    assert event["body"] == "AP9iaW4="
    assert event["isBase64Encoded"] is True


def test_integration_body_is_not_sent_back_when_route_returns_one(start: Callable[..., Stack]) -> None:
    """Route responses are not configured, so a message integration's body never reaches the client."""
    stack = start()
    with stack.connect() as ws:
        ws.send("hello")
        stack.recorder.wait_for("$default")
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)


def test_client_gets_internal_server_error_when_integration_raises(start: Callable[..., Stack]) -> None:
    """A failing integration tells the client as API Gateway does, and the connection survives."""
    stack = start(recorder=Recorder(fail={"$default"}))
    with stack.connect() as ws:
        ws.send("boom")
        reply = json.loads(ws.recv(timeout=2))
        ws.send("again")
        stack.recorder.wait_for("$default", 2)
    assert reply["message"] == "Internal server error"
    assert reply["connectionId"] == stack.connection_id()
    assert reply["requestId"] == stack.recorder.of("$default")[0]["requestContext"]["requestId"]


def test_messages_are_invoked_one_at_a_time_in_order_when_sent_in_a_burst(start: Callable[..., Stack]) -> None:
    """Invocations for one connection never overlap and keep the arrival order."""
    stack = start(recorder=Recorder(delay={"$default": 0.05}))
    with stack.connect() as ws:
        for n in range(5):
            ws.send(str(n))
        stack.recorder.wait_for("$default", 5)
    assert [event["body"] for event in stack.recorder.of("$default")] == ["0", "1", "2", "3", "4"]
    assert stack.recorder.peak == 1


def test_connections_are_invoked_concurrently_when_both_send(start: Callable[..., Stack]) -> None:
    """Different connections do not wait for each other's integrations."""
    stack = start(recorder=Recorder(delay={"$default": 0.5}))
    with stack.connect() as first, stack.connect() as second:
        first.send("a")
        second.send("b")
        stack.recorder.wait_for("$default", 2)
        time.sleep(0.1)
    assert stack.recorder.peak == 2


def test_connection_closes_with_1009_when_message_exceeds_limit(start: Callable[..., Stack]) -> None:
    """A message one UTF-8 byte over 128 KB (in 32 KB frames) closes the socket with 1009 and is not invoked."""
    stack = start()
    with stack.connect() as ws:
        with contextlib.suppress(ConnectionClosed):  # the close may beat the client's last (empty) fragment
            ws.send(["é" * (FRAME // 2)] * 4 + ["x"])
        closed = wait_closed(ws)
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1009
    assert stack.recorder.wait_for("$disconnect")[0]["requestContext"]["disconnectStatusCode"] == 1009
    assert stack.recorder.messages() == []


def test_message_is_delivered_when_exactly_at_limit(start: Callable[..., Stack]) -> None:
    """A message of exactly 128 KB of UTF-8, sent as 32 KB frames, is accepted whole."""
    stack = start()
    with stack.connect() as ws:
        ws.send(["é" * (FRAME // 2)] * 4)
        event = stack.recorder.wait_for("$default")[0]
    assert event["body"] == "é" * (LIMIT // 2)


def test_connection_closes_with_1009_when_a_frame_exceeds_32_kb(start: Callable[..., Stack]) -> None:
    """A single frame one byte over 32 KB closes the socket with 1009, as browsers find out in AWS."""
    stack = start()
    with stack.connect() as ws:
        ws.send("x" * (FRAME + 1))
        closed = wait_closed(ws)
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1009
    context = stack.recorder.wait_for("$disconnect")[0]["requestContext"]
    assert context["disconnectStatusCode"] == 1009
    assert stack.recorder.messages() == []


def test_single_frame_is_delivered_when_exactly_32_kb(start: Callable[..., Stack]) -> None:
    """A single frame of exactly 32 KB is accepted."""
    stack = start()
    with stack.connect() as ws:
        ws.send(b"x" * FRAME)
        event = stack.recorder.wait_for("$default")[0]
    assert len(event["body"]) == len(base64.b64encode(b"x" * FRAME))


# -- timers and pings -------------------------------------------------------------------------------


def test_connection_closes_with_1001_when_idle(start: Callable[..., Stack]) -> None:
    """An idle connection is closed with 1001 at the idle timeout, then $disconnect runs."""
    stack = start(idle_timeout=0.5)
    with stack.connect() as ws:
        opened = time.monotonic()
        closed = wait_closed(ws)
        elapsed = time.monotonic() - opened
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1001
    assert 0.4 <= elapsed <= 0.7
    context = stack.recorder.wait_for("$disconnect")[0]["requestContext"]
    assert context["eventType"] == "DISCONNECT"
    assert context["disconnectStatusCode"] == 1001
    assert context["disconnectReason"] == "Going away"


def test_idle_close_is_postponed_when_client_sends_messages(start: Callable[..., Stack]) -> None:
    """Each client message restarts the idle timer."""
    stack = start(idle_timeout=0.5)
    with stack.connect() as ws:
        keep_busy(lambda: ws.send("tick"), seconds=1.2)
        last = time.monotonic()
        closed = wait_closed(ws)
        since_last = time.monotonic() - last
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1001
    assert 0.2 <= since_last <= 0.7  # the last tick was sent up to 0.2 s before `last`


def test_idle_close_is_postponed_when_server_posts(start: Callable[..., Stack]) -> None:
    """An @connections POST to the connection counts as activity."""
    stack = start(idle_timeout=0.5)
    client = stack.management()
    with stack.connect() as ws:
        connection_id = stack.connection_id()
        keep_busy(lambda: client.post_to_connection(ConnectionId=connection_id, Data=b"tick"), seconds=1.2)
        assert ws.recv(timeout=1) == "tick"
        assert stack.gateway.connection_count == 1


def test_connection_closes_at_max_duration_when_client_stays_active(start: Callable[..., Stack]) -> None:
    """The maximum duration closes the socket with 1001 however active the client is."""
    stack = start(idle_timeout=0.5, max_duration=1.0)
    with stack.connect() as ws:
        opened = time.monotonic()
        sender = threading.Thread(target=keep_busy, args=(lambda: _send_quietly(ws), 2.0, 0.1), daemon=True)
        sender.start()
        closed = wait_closed(ws)
        elapsed = time.monotonic() - opened
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1001
    assert 0.9 <= elapsed <= 1.2


def _send_quietly(ws: ClientConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        ws.send("tick")


def test_ping_gets_no_pong_when_answer_pings_is_off(start: Callable[..., Stack]) -> None:
    """By default ping frames are not answered."""
    stack = start()
    with stack.connect() as ws:
        pong = ws.ping()
        assert not pong.wait(0.5)


def test_ping_does_not_postpone_idle_close_when_answer_pings_is_off(start: Callable[..., Stack]) -> None:
    """By default ping frames are not activity: the idle timer still fires."""
    stack = start(idle_timeout=0.5)
    with stack.connect() as ws:
        opened = time.monotonic()
        pinger = threading.Thread(target=keep_busy, args=(lambda: _ping_quietly(ws), 1.0, 0.1), daemon=True)
        pinger.start()
        closed = wait_closed(ws)
        elapsed = time.monotonic() - opened
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1001
    assert elapsed <= 0.7


def test_ping_gets_pong_when_answer_pings_is_on(start: Callable[..., Stack]) -> None:
    """With answer_pings a ping is answered."""
    stack = start(answer_pings=True)
    with stack.connect() as ws:
        assert ws.ping().wait(1)


def test_ping_postpones_idle_close_when_answer_pings_is_on(start: Callable[..., Stack]) -> None:
    """With answer_pings a ping counts as activity."""
    stack = start(idle_timeout=0.5, answer_pings=True)
    with stack.connect() as ws:
        keep_busy(ws.ping, seconds=1.2)
        assert stack.gateway.connection_count == 1


def _ping_quietly(ws: ClientConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        ws.ping()


# -- $disconnect ------------------------------------------------------------------------------------


def test_disconnect_event_carries_client_close_code_when_client_closes(start: Callable[..., Stack]) -> None:
    """A client-initiated close reaches $disconnect with the client's code and reason."""
    stack = start()
    with stack.connect() as ws:
        connection_id = stack.connection_id()
        ws.close(code=4001, reason="bye")
    event = stack.recorder.wait_for("$disconnect")[0]
    context = event["requestContext"]
    assert context["connectionId"] == connection_id
    assert context["disconnectStatusCode"] == 4001
    assert context["disconnectReason"] == "bye"
    assert event["headers"]["Host"] == f"127.0.0.1:{stack.port}"
    assert stack.gateway.connection_count == 0


def test_disconnect_is_not_invoked_when_drop_rate_is_one(start: Callable[..., Stack]) -> None:
    """With disconnect_drop_rate=1.0 $disconnect never runs, yet the connection is gone."""
    stack = start(disconnect_drop_rate=1.0)
    with stack.connect():
        stack.connection_id()
    time.sleep(0.3)
    assert stack.recorder.of("$disconnect") == []
    assert stack.gateway.connection_count == 0


def test_disconnect_drop_follows_injected_rng_when_rate_is_partial(start: Callable[..., Stack]) -> None:
    """The injected RNG decides each drop: below the rate drops, above delivers."""
    draws = iter([0.2, 0.8])
    stack = start(disconnect_drop_rate=0.5, rng=lambda: next(draws))
    with stack.connect():
        stack.connection_id(0)
    time.sleep(0.2)
    with stack.connect():
        second = stack.connection_id(1)
    events = stack.recorder.wait_for("$disconnect")
    time.sleep(0.1)
    assert [e["requestContext"]["connectionId"] for e in stack.recorder.of("$disconnect")] == [second]
    assert len(events) == 1


# -- @connections -----------------------------------------------------------------------------------


def test_post_delivers_text_message_when_connection_is_open(start: Callable[..., Stack]) -> None:
    """PostToConnection sends the UTF-8 payload to the client as one text message."""
    stack = start()
    with stack.connect() as ws:
        stack.management().post_to_connection(ConnectionId=stack.connection_id(), Data=b'{"cmd":"update"}')
        assert ws.recv(timeout=2) == '{"cmd":"update"}'


def test_post_arrives_in_32_kb_frames_when_payload_is_larger(start: Callable[..., Stack]) -> None:
    """A 40 KB post reaches the client as one message split into frames of at most 32 KB."""
    stack = start()
    with stack.connect() as ws:
        stack.management().post_to_connection(ConnectionId=stack.connection_id(), Data=b"y" * (40 * 1024))
        fragments = list(ws.recv_streaming())
    assert [len(fragment) for fragment in fragments] == [FRAME, 8 * 1024]
    assert "".join(fragments) == "y" * (40 * 1024)


def test_post_delivers_binary_message_when_payload_is_not_utf8(start: Callable[..., Stack]) -> None:
    """A payload that is not UTF-8 is sent as a binary message."""
    stack = start()
    with stack.connect() as ws:
        stack.management().post_to_connection(ConnectionId=stack.connection_id(), Data=b"\xff\x00")
        assert ws.recv(timeout=2) == b"\xff\x00"


def test_post_works_when_endpoint_includes_the_stage(start: Callable[..., Stack]) -> None:
    """The /{stage}/@connections form (the AWS endpoint shape) is served too."""
    stack = start()
    with stack.connect() as ws:
        stack.management("/api").post_to_connection(ConnectionId=stack.connection_id(), Data=b"staged")
        assert ws.recv(timeout=2) == "staged"


def test_post_works_when_connection_id_has_url_special_characters(
    start: Callable[..., Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids containing '+', '/' and '=' survive boto3's percent-encoding."""
    ids = itertools.chain(["Ab+/Cd9xYz01Q2w="], iter(lambda: "RqId0123456789A=", None))
    monkeypatch.setattr(ws_gateway, "_aws_id", lambda: next(ids))
    stack = start()
    with stack.connect() as ws:
        assert stack.connection_id() == "Ab+/Cd9xYz01Q2w="
        stack.management().post_to_connection(ConnectionId="Ab+/Cd9xYz01Q2w=", Data=b"odd id")
        assert ws.recv(timeout=2) == "odd id"


def test_post_gets_413_when_payload_exceeds_limit(start: Callable[..., Stack]) -> None:
    """A payload over 128 KB is refused with PayloadTooLargeException and nothing is sent."""
    stack = start()
    client = stack.management()
    with stack.connect() as ws:
        with pytest.raises(client.exceptions.PayloadTooLargeException) as refused:
            client.post_to_connection(ConnectionId=stack.connection_id(), Data=b"x" * (LIMIT + 1))
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.2)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_get_returns_connection_info_when_connection_is_open(start: Callable[..., Stack]) -> None:
    """GetConnection reports connectedAt, identity and lastActiveAt."""
    stack = start()
    with stack.connect(user_agent_header="agent/2") as ws:
        ws.send("activity")
        stack.recorder.wait_for("$default")
        info = stack.management().get_connection(ConnectionId=stack.connection_id())
    now = datetime.now(UTC)
    assert now - timedelta(seconds=5) < info["ConnectedAt"] <= now
    assert info["ConnectedAt"] <= info["LastActiveAt"] <= now
    assert info["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "agent/2"}


def test_delete_closes_client_with_1000_when_called(start: Callable[..., Stack]) -> None:
    """DeleteConnection answers 204, closes the client with 1000 and fires $disconnect."""
    stack = start()
    with stack.connect() as ws:
        connection_id = stack.connection_id()
        response = stack.management().delete_connection(ConnectionId=connection_id)
        closed = wait_closed(ws)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1000
    context = stack.recorder.wait_for("$disconnect")[0]["requestContext"]
    assert context["connectionId"] == connection_id
    assert context["disconnectStatusCode"] == 1000


@pytest.mark.parametrize("operation", ["post_to_connection", "get_connection", "delete_connection"])
def test_gone_exception_when_connection_id_is_unknown(start: Callable[..., Stack], operation: str) -> None:
    """Every @connections operation on an id that never connected raises GoneException (410)."""
    client = start().management()
    kwargs = {"Data": b"x"} if operation == "post_to_connection" else {}
    with pytest.raises(client.exceptions.GoneException) as gone:
        getattr(client, operation)(ConnectionId="NeverSeen0000Aw=", **kwargs)
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_gone_exception_when_connection_is_closed(start: Callable[..., Stack]) -> None:
    """Posting to a connection the client closed raises GoneException."""
    stack = start()
    client = stack.management()
    with stack.connect():
        connection_id = stack.connection_id()
    stack.recorder.wait_for("$disconnect")
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId=connection_id, Data=b"late")


def test_gone_response_has_aws_error_shape_when_raw_http_is_used(start: Callable[..., Stack]) -> None:
    """The 410 carries x-amzn-ErrorType: GoneException and {"message": null}."""
    status, headers, body = start().raw("POST", "/api/@connections/NeverSeen0000Aw%3D", b"x")
    assert status == 410
    assert headers["x-amzn-ErrorType"] == "GoneException"
    assert json.loads(body) == {"message": None}


# -- frame guard, byte by byte -----------------------------------------------------------------------


class FakeTransport:
    """Just enough of asyncio.Transport for FrameGuard."""

    def __init__(self, protocol: asyncio.Protocol) -> None:
        self.protocol, self.written, self.closed = protocol, b"", False

    def get_protocol(self) -> asyncio.Protocol:
        return self.protocol

    def set_protocol(self, protocol: asyncio.Protocol) -> None:
        self.protocol = protocol

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True


class Inner(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = b""

    def data_received(self, data: bytes) -> None:
        self.data += data


def client_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """Encode a final, masked client frame (zero mask, so the payload reads as is)."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    return head + b"\0\0\0\0" + payload


def test_frame_guard_trips_at_the_oversized_header_when_bytes_arrive_one_at_a_time() -> None:
    """Headers split across reads are parsed; allowed frames pass through; the first oversized one closes with 1009."""
    # Given
    inner = Inner()
    transport = FakeTransport(inner)
    tripped: list[bool] = []
    FrameGuard(transport, FRAME, lambda: tripped.append(True))  # type: ignore[arg-type]
    allowed = client_frame(b"hi") + client_frame(b"x" * FRAME, opcode=0x2) + client_frame(b"", opcode=0x9)
    oversized = client_frame(b"y" * (FRAME + 1))
    # When
    stream = allowed + oversized + client_frame(b"after")
    for i in range(len(stream)):
        transport.protocol.data_received(stream[i : i + 1])
    # Then
    assert tripped == [True]
    assert inner.data == allowed + oversized[:7]  # its 8-byte header trips on the last byte
    assert transport.written == struct.pack("!BBH", 0x88, 17, 1009) + b"Message too big"
    assert transport.closed


def test_frame_guard_passes_everything_when_frames_fit_in_one_read() -> None:
    """Frames within the quota reach aiohttp unchanged, whatever their number per read."""
    inner = Inner()
    transport = FakeTransport(inner)
    FrameGuard(transport, FRAME, lambda: pytest.fail("tripped"))  # type: ignore[arg-type]
    stream = b"".join(client_frame(bytes(n)) for n in (0, 125, 126, FRAME))
    transport.protocol.data_received(stream)
    assert inner.data == stream
    assert not transport.closed


# -- shutdown and logging ---------------------------------------------------------------------------


def test_close_all_closes_clients_with_1001_when_called(start: Callable[..., Stack]) -> None:
    """close_all closes every client with 1001, runs $disconnect and leaves no task behind."""
    stack = start()
    with stack.connect() as first, stack.connect() as second:
        stack.connection_id(1)
        started = time.monotonic()
        stack.run(stack.gateway.close_all())
        took = time.monotonic() - started
        codes = [wait_closed(ws).rcvd.code for ws in (first, second)]
    assert codes == [1001, 1001]
    assert took < 1.0
    assert len(stack.recorder.of("$disconnect")) == 2
    assert stack.gateway.connection_count == 0

    async def other_tasks() -> int:
        for _ in range(50):
            if not asyncio.all_tasks() - {asyncio.current_task()}:
                return 0
            await asyncio.sleep(0.02)
        return len(asyncio.all_tasks()) - 1

    assert stack.run(other_tasks()) == 0


def test_logs_never_contain_secrets_when_agent_sends_them(
    start: Callable[..., Stack], caplog: pytest.LogCaptureFixture
) -> None:
    """Header values, query values and bodies never reach the log; connect and disconnect do."""
    caplog.set_level(logging.DEBUG, logger="patchmon.local.ws")
    stack = start()
    with stack.connect("?ticket=query-secret", additional_headers={"X-API-KEY": "header-secret"}) as ws:
        ws.send("body-secret")
        stack.management().post_to_connection(ConnectionId=stack.connection_id(), Data=b"post-secret")
        ws.recv(timeout=2)
    stack.recorder.wait_for("$disconnect")
    text = caplog.text
    for secret in ("query-secret", "header-secret", "body-secret", "post-secret"):
        assert secret not in text
    infos = [r.getMessage() for r in caplog.records if r.name == "patchmon.local.ws" and r.levelno == logging.INFO]
    assert [m.split()[1] for m in infos] == ["connect", "disconnect"]
