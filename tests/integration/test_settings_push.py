"""A changed update interval reaches the tenant's connected agents as `settings_update`, through the agent-commands queue."""
from __future__ import annotations

import json

import pytest

import app
from chalicelib.settings import service as settings_service
from functions import agent_command_dispatch
from infra.local.lambda_runtime import LambdaContext
from infra.local.sqs_pump import sqs_event
from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in

CONTEXT = LambdaContext("agent-command-dispatch", 256, 10, "arn")


def _payload(interval: int) -> dict:
    return {"type": "settings_update", "update_interval": interval, "compliance_scan_interval": 1440,
            "package_cache_refresh_mode": "always", "package_cache_refresh_max_age": 60}


def _connect(agent, connection_id: str) -> None:
    event = {"headers": {"X-API-ID": agent.api_id, "X-API-KEY": agent.api_key},
             "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id, "domainName": "localhost",
                                "stage": "api", "apiId": "local", "identity": {"sourceIp": "10.0.0.5"}}}
    assert app.ws_connect(event, CONTEXT)["statusCode"] == 200


def _receive(aws) -> list[dict]:
    sqs = aws.client("sqs")
    return sqs.receive_message(QueueUrl=aws.resources.queue_urls["agent-commands"], MaxNumberOfMessages=10).get("Messages", [])


def _drain(aws) -> int:
    """Run the worker on the queue until it is empty, as the SQS event source would; return how many messages it handled."""
    handled = 0
    while messages := _receive(aws):
        response = agent_command_dispatch.handler(sqs_event(messages, aws.resources.queue_arns["agent-commands"]), CONTEXT)
        assert response == {"batchItemFailures": []}
        sqs = aws.client("sqs")
        for message in messages:
            sqs.delete_message(QueueUrl=aws.resources.queue_urls["agent-commands"], ReceiptHandle=message["ReceiptHandle"])
        handled += len(messages)
    return handled


@pytest.fixture
def fleet(client, aws):
    """Tenant A with two connected agents and one that is not; tenant B with one connected agent."""
    alpha, bravo = make_tenant(), make_tenant("bravo")
    a_admin, b_admin = sign_in(client, alpha, "root", role="superadmin"), sign_in(client, bravo, "broot", role="superadmin")
    a1, a2, _not_connected = enrol(a_admin, "a1"), enrol(a_admin, "a2"), enrol(a_admin, "a3")
    b1 = enrol(b_admin, "b1")
    for agent, connection in ((a1, "ca1"), (a2, "ca2"), (b1, "cb1")):
        _connect(agent, connection)
    return {"admin": a_admin, "b_admin": b_admin}


def test_settings_update_reaches_only_the_tenants_connected_agents_when_the_interval_changes(fleet, aws, pushed):
    # When
    assert fleet["admin"].put("/api/v1/settings", {"update_interval": 15}).status_code == 200
    _drain(aws)
    # Then
    assert sorted(p["connection_id"] for p in pushed["sent"]) == ["ca1", "ca2"]
    assert all(p["message"] == _payload(15) for p in pushed["sent"])


def test_nothing_is_queued_when_the_interval_did_not_change(fleet, aws, pushed):
    # When other settings change, or the interval is sent unchanged
    fleet["admin"].put("/api/v1/settings", {"auto_update": False, "agent_reports_retention_days": 60})
    fleet["admin"].put("/api/v1/settings", {"update_interval": 60})
    # Then
    assert aws.queue_depth("agent-commands") == 0
    assert _drain(aws) == 0 and pushed["sent"] == []


def test_the_queued_message_names_the_tenant_and_the_new_payload_when_queued(fleet, aws):
    fleet["admin"].patch("/api/v1/settings", {"updateInterval": 30})
    (message,) = _receive(aws)
    body = json.loads(message["Body"])
    assert body["type"] == "agent.settings_changed" and body["tenant_id"] == fleet["admin"].tenant.tenant_id
    assert body["cursor"] is None and body["data"] == {k: v for k, v in _payload(30).items() if k != "type"}


def test_every_page_of_hosts_is_reached_when_the_fleet_spans_pages(fleet, aws, pushed, monkeypatch):
    # Given pages of one host each
    monkeypatch.setattr(settings_service, "PUSH_PAGE_SIZE", 1)
    # When
    fleet["admin"].put("/api/v1/settings", {"update_interval": 120})
    handled = _drain(aws)
    # Then one message per page, and each connected agent got it once
    assert handled == 3
    assert sorted(p["connection_id"] for p in pushed["sent"]) == ["ca1", "ca2"]


def test_a_message_handled_twice_sends_the_current_settings_when_redelivered(fleet, aws, pushed):
    # Given a message queued for 15 minutes and then a second change to 20 minutes
    fleet["admin"].put("/api/v1/settings", {"update_interval": 15})
    (first,) = _receive(aws)
    fleet["admin"].put("/api/v1/settings", {"update_interval": 20})
    # When the first message is delivered late, and twice
    for _ in range(2):
        agent_command_dispatch.handler(sqs_event([first], aws.resources.queue_arns["agent-commands"]), CONTEXT)
    # Then agents were told the current interval, never the stale one
    assert {p["message"]["update_interval"] for p in pushed["sent"]} == {20}


def test_a_gone_connection_is_skipped_without_failing_when_pushing(fleet, aws, pushed):
    pushed["gone"].add("ca1")
    fleet["admin"].put("/api/v1/settings", {"update_interval": 10})
    _drain(aws)
    assert [p["connection_id"] for p in pushed["sent"]] == ["ca2"]
    hosts = {h["friendly_name"]: h["connected"] for h in fleet["admin"].get("/api/v1/hosts").json_body["hosts"]}
    assert hosts == {"a1": False, "a2": True, "a3": False}
