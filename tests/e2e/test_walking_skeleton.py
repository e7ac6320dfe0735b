"""End to end against the running local stack: every path of the skeleton, as clients use it."""
from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.e2e.stack import LocalStackProcess

pytestmark = pytest.mark.timeout(90)


def _auth(stack: LocalStackProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token}"}


def _ticket(stack: LocalStackProcess) -> str:
    response = httpx.post(f"{stack.url}/api/v1/ws/tickets", headers=_auth(stack))
    assert response.status_code == 201
    return response.json()["ticket"]


@contextlib.contextmanager
def _open(stack: LocalStackProcess) -> Iterator[tuple[ClientConnection, str]]:
    with connect(f"{stack.ws_url}?ticket={_ticket(stack)}", open_timeout=10) as ws:
        ws.send(json.dumps({"action": "hello"}))
        welcome = json.loads(ws.recv(timeout=10))
        assert welcome["type"] == "welcome"
        yield ws, welcome["connection_id"]


def _echo(stack: LocalStackProcess, connection_id: str, message: str, **extra) -> httpx.Response:
    return httpx.post(f"{stack.url}/api/v1/ws/echo", json={"connection_id": connection_id, "message": message, **extra},
                      headers=_auth(stack))


def _eventually(check, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def _management(stack: LocalStackProcess):
    return boto3.client("apigatewaymanagementapi", endpoint_url=f"{stack.url}/api", region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106


def test_health_reports_every_component_ok_when_stack_is_up(stack):
    response = httpx.get(f"{stack.url}/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: c["status"] for name, c in body["components"].items()} == {
        "data": "ok", "queues": "ok", "scheduler": "ok", "websocket_gateway": "ok"}


def test_rest_call_reaches_the_websocket_client_through_sqs_and_a_worker_when_connected(stack):
    with _open(stack) as (ws, connection_id):
        response = _echo(stack, connection_id, "through the queue")
        assert response.status_code == 202
        pushed = json.loads(ws.recv(timeout=15))
    assert pushed["type"] == "echo" and pushed["message"] == "through the queue"


def test_delayed_message_arrives_after_its_delay_when_queued_with_one(stack):
    with _open(stack) as (ws, connection_id):
        sent = time.monotonic()
        assert _echo(stack, connection_id, "later", delay_seconds=2).status_code == 202
        pushed = json.loads(ws.recv(timeout=15))
    assert pushed["message"] == "later"
    assert time.monotonic() - sent >= 1.9


def test_one_time_schedule_fires_into_the_queue_when_due(stack):
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    sqs_arn = stack.aws_client("sqs").get_queue_attributes(QueueUrl=stack.queue_url("agent-commands"),
                                                           AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    message = {"type": "realtime.echo_requested", "version": 1, "connection_id": "",
               "message": "scheduled", "requested_at": at.isoformat()}
    with _open(stack) as (ws, connection_id):
        message["connection_id"] = connection_id
        stack.aws_client("scheduler").create_schedule(
            Name="e2e-once", GroupName="patchmon-dev-schedules", ScheduleExpression=f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})",
            FlexibleTimeWindow={"Mode": "OFF"}, ActionAfterCompletion="DELETE",
            Target={"Arn": sqs_arn, "RoleArn": "arn:aws:iam::123456789012:role/x", "Input": json.dumps(message)})
        pushed = json.loads(ws.recv(timeout=15))
    assert pushed["message"] == "scheduled"
    assert datetime.now(UTC) >= at
    _eventually(lambda: stack.aws_client("scheduler").list_schedules(GroupName="patchmon-dev-schedules")["Schedules"] == [])


def test_rate_schedule_has_fired_the_heartbeat_worker_when_stack_started(stack):
    scheduler = httpx.get(f"{stack.url}/api/v1/health").json()["components"]["scheduler"]
    last_tick = datetime.fromisoformat(scheduler["last_tick"].replace("Z", "+00:00"))
    assert datetime.now(UTC) - last_tick < timedelta(minutes=2)


def test_poison_message_lands_in_the_dead_letter_queue_when_it_keeps_failing(stack):
    sqs = stack.aws_client("sqs")
    sqs.send_message(QueueUrl=stack.queue_url("agent-commands"), MessageBody='{"not": "a command"}')
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=stack.queue_url("agent-commands-dlq"), WaitTimeSeconds=1).get("Messages", [])
        if messages:
            assert json.loads(messages[0]["Body"]) == {"not": "a command"}
            return
    pytest.fail("the poison message never reached the DLQ")


@pytest.mark.parametrize("query", ["", "?ticket=forged"])
def test_connect_is_refused_with_401_when_ticket_is_missing_or_forged(stack, query):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{stack.ws_url}{query}", open_timeout=10)
    assert refused.value.response.status_code == 401


def test_connect_is_refused_when_ticket_is_reused(stack):
    ticket = _ticket(stack)
    with connect(f"{stack.ws_url}?ticket={ticket}", open_timeout=10):
        pass
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{stack.ws_url}?ticket={ticket}", open_timeout=10)
    assert refused.value.response.status_code == 401


def test_stale_connection_id_gets_410_when_client_has_gone(stack):
    with _open(stack) as (_, connection_id):
        pass
    management = _management(stack)
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    # $disconnect runs after the close and forgets the connection
    _eventually(lambda: _echo(stack, connection_id, "too late").status_code == 404)


def test_message_over_128_kb_closes_the_connection_with_1009_when_sent(stack):
    with _open(stack) as (ws, _):
        ws.send(json.dumps({"action": "ping", "pad": "x" * (128 * 1024)}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1009


def test_idle_connection_is_closed_when_idle_timeout_passes(stack):
    with _open(stack) as (ws, _):
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=20)
    assert closed.value.rcvd.code == 1001
    assert 5 <= time.monotonic() - started <= 12  # idle timeout is 6 s in these tests


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("POST", "/api/v1/ws/echo", b"{oops", 400),
    ("POST", "/api/v1/ws/echo", b'{"connection_id": [], "message": "x"}', 400),
    ("GET", "/api/v1/no-such-route", None, 404),
    ("DELETE", "/api/v1/health", None, 404),
    ("POST", "/api/v1/ws/echo", b"x" * (11 * 1024 * 1024), 413),
])
def test_bad_input_gets_a_json_4xx_when_sent_to_the_stack(stack, method, path, body, status):
    response = httpx.request(method, f"{stack.url}{path}", content=body, timeout=30,
                             headers={"Content-Type": "application/json", **_auth(stack)})
    assert response.status_code == status
    assert isinstance(response.json()["error"], str)
    assert "Traceback" not in response.text


def test_openapi_document_and_docs_are_served_when_requested(stack):
    document = httpx.get(f"{stack.url}/api/v1/openapi.json").json()
    assert "/api/v1/health" in document["paths"]
    assert httpx.get(f"{stack.url}/api/v1/docs").headers["content-type"].startswith("text/html")


def test_frontend_is_served_at_the_root_when_requested(stack):
    response = httpx.get(f"{stack.url}/")
    assert response.status_code == 200
    assert "PatchMon Cloud" in response.text
    assert httpx.get(f"{stack.url}/hosts/123").status_code == 200  # client-side routes get the app
