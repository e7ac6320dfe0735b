"""Agents on the WebSocket: authentication at $connect, presence, commands and keepalive."""
from __future__ import annotations

import pytest

import app
from functions import agent_command_dispatch, agent_keepalive
from infra.local.lambda_runtime import LambdaContext
from infra.local.sqs_pump import sqs_event
from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in

CONTEXT = LambdaContext("ws", 256, 10, "arn")


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _connect(connection_id: str, headers: dict[str, str]) -> dict:
    event = {"headers": headers, "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id,
                                                    "domainName": "localhost", "stage": "api", "apiId": "local",
                                                    "identity": {"sourceIp": "10.0.0.5"}}}
    return app.ws_connect(event, CONTEXT)


def _disconnect(connection_id: str) -> None:
    app.ws_disconnect({"requestContext": {"routeKey": "$disconnect", "eventType": "DISCONNECT", "connectionId": connection_id,
                                          "domainName": "localhost", "stage": "api", "apiId": "local"}}, CONTEXT)


def test_agent_connect_is_refused_with_plain_401_when_credentials_are_wrong(admin):
    agent = enrol(admin)
    response = _connect("c1", {"X-API-ID": agent.api_id, "X-API-KEY": "0" * 64})
    assert response["statusCode"] == 401 and response["body"] == "Invalid API credentials"
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["connected"] is False


def test_agent_presence_shows_connected_and_secure_until_it_disconnects(admin):
    agent = enrol(admin)
    assert _connect("c1", {"x-api-id": agent.api_id, "x-api-key": agent.api_key, "X-Forwarded-Proto": "https"})["statusCode"] == 200
    host = admin.get(f"/api/v1/hosts/{agent.host_id}").json_body
    assert host["connected"] is True and host["connected_since"]
    _disconnect("c1")
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["connected"] is False


def test_a_stale_disconnect_does_not_end_a_newer_connection(admin):
    agent = enrol(admin)
    creds = {"X-API-ID": agent.api_id, "X-API-KEY": agent.api_key}
    _connect("old", creds)
    _connect("new", creds)
    _disconnect("old")
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["connected"] is True


def _dispatch(aws) -> None:
    sqs = aws.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.resources.queue_urls["agent-commands"], MaxNumberOfMessages=10)["Messages"]
    agent_command_dispatch.handler(sqs_event(messages, aws.resources.queue_arns["agent-commands"]), CONTEXT)


def test_fetch_report_sends_report_now_to_the_connected_agent(admin, aws, pushed):
    agent = enrol(admin)
    _connect("c1", {"X-API-ID": agent.api_id, "X-API-KEY": agent.api_key})
    assert admin.post(f"/api/v1/hosts/{agent.host_id}/fetch-report").status_code == 202
    _dispatch(aws)
    assert pushed["sent"] == [{"connection_id": "c1", "message": {"type": "report_now"}}]


@pytest.mark.parametrize("action", ["fetch-report", "force-agent-update"])
def test_a_command_is_refused_with_409_and_nothing_queued_when_the_agent_is_not_connected(admin, aws, action):
    # Given a host whose agent holds no WebSocket
    agent = enrol(admin)
    # When
    response = admin.post(f"/api/v1/hosts/{agent.host_id}/{action}")
    # Then
    assert (response.status_code, response.json_body["code"]) == (409, "agent_not_connected")
    queued = aws.client("sqs").receive_message(QueueUrl=aws.resources.queue_urls["agent-commands"], MaxNumberOfMessages=10)
    assert queued.get("Messages", []) == []


def test_command_for_a_gone_connection_ends_presence_without_failing(admin, aws, pushed):
    agent = enrol(admin)
    _connect("c1", {"X-API-ID": agent.api_id, "X-API-KEY": agent.api_key})
    pushed["gone"].add("c1")
    admin.post(f"/api/v1/hosts/{agent.host_id}/fetch-report")
    _dispatch(aws)
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["connected"] is False


def test_keepalive_reaches_every_connected_agent_and_prunes_gone_ones(admin, pushed):
    first, second = enrol(admin, "a"), enrol(admin, "b")
    _connect("c1", {"X-API-ID": first.api_id, "X-API-KEY": first.api_key})
    _connect("c2", {"X-API-ID": second.api_id, "X-API-KEY": second.api_key})
    pushed["gone"].add("c2")
    result = agent_keepalive.handler({"id": "evt"}, CONTEXT)
    assert result == {"sent": 1, "gone": 1}
    assert pushed["sent"] == [{"connection_id": "c1", "message": {"type": "connected"}}]
    assert admin.get(f"/api/v1/hosts/{second.host_id}").json_body["connected"] is False


def test_agents_that_keep_their_own_heartbeat_get_no_keepalive_messages(admin, pushed):
    ours, slow, official = enrol(admin, "ours"), enrol(admin, "slow"), enrol(admin, "official")
    _connect("c-ours", {"X-API-ID": ours.api_id, "X-API-KEY": ours.api_key, "X-Agent-Heartbeat": "240"})
    _connect("c-slow", {"X-API-ID": slow.api_id, "X-API-KEY": slow.api_key, "X-Agent-Heartbeat": "900"})  # beyond the idle timeout
    _connect("c-official", {"X-API-ID": official.api_id, "X-API-KEY": official.api_key, "User-Agent": "Go-http-client/1.1"})
    result = agent_keepalive.handler({"id": "evt"}, CONTEXT)
    assert result == {"sent": 2, "gone": 0}
    assert sorted(p["connection_id"] for p in pushed["sent"]) == ["c-official", "c-slow"]
    assert admin.get(f"/api/v1/hosts/{ours.host_id}").json_body["connected"] is True


def test_unknown_message_type_is_refused_when_queued(admin):
    from chalicelib.core import errors
    from chalicelib.core.tenancy import TenantContext
    from chalicelib.realtime import service as realtime_service

    ctx = TenantContext(tenant_id=admin.tenant.tenant_id, principal="test")
    with pytest.raises(errors.InvalidInput):
        realtime_service.request_agent_message(ctx, host_id="x", message_type="rm_rf")
