"""The realtime routes: tickets, connections and queued pushes, including every kind of bad input."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.core import clock, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.realtime import service
from tests.factories.identity import make_tenant, sign_in

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def alice(client):
    return sign_in(client, make_tenant(), "alice")


def _ctx(session) -> TenantContext:
    return TenantContext(tenant_id=session.tenant.tenant_id, principal=f"user:{session.user_id}", user_id=session.user_id)


def _open(session, connection_id: str) -> None:
    ticket = service.issue_ticket(_ctx(session))["ticket"]
    service.open_connection(connection_id=connection_id, query={"ticket": ticket}, source_ip="127.0.0.1")


def test_create_ticket_returns_ticket_and_expiry_when_signed_in(alice, aws):
    # When
    response = alice.post("/api/v1/ws/tickets")
    # Then
    assert response.status_code == 201
    assert len(response.json_body["ticket"]) >= 40
    assert clock.parse_iso(response.json_body["expires_at"]) > clock.now()
    assert response.json_body["ticket"] not in json.dumps(aws.table_items())  # only its hash is stored


def test_create_ticket_is_refused_when_not_signed_in(client, aws):
    make_tenant()
    response = client.http.post("/api/v1/ws/tickets")
    assert response.status_code == 401


def test_echo_is_queued_when_connection_is_open(alice, aws):
    # Given
    _open(alice, "conn-1")
    # When
    response = alice.post("/api/v1/ws/echo", {"connection_id": "conn-1", "message": "hi"})
    # Then
    assert response.status_code == 202
    assert response.json_body["queued"] is True
    assert aws.queue_depth("agent-commands") == 1


def test_echo_is_not_found_when_connection_belongs_to_another_user(client, alice, aws):
    bob = sign_in(client, alice.tenant, "bob")
    _open(bob, "bobs")
    response = alice.post("/api/v1/ws/echo", {"connection_id": "bobs", "message": "hi"})
    assert response.status_code == 404
    assert aws.queue_depth("agent-commands") == 0


def test_echo_is_not_found_when_connection_is_unknown(alice, aws):
    response = alice.post("/api/v1/ws/echo", {"connection_id": "nope", "message": "hi"})
    assert response.status_code == 404
    assert response.json_body == {"error": "Connection not found", "code": "not_found"}
    assert aws.queue_depth("agent-commands") == 0


@pytest.mark.parametrize(("body", "headers", "status", "error"), [
    (b"{not json", JSON, 400, "Malformed JSON body"),
    (b"[1, 2]", JSON, 400, "Request body must be a JSON object"),
    (b"", JSON, 400, "Request body must be a JSON object"),
    (b'{"connection_id": 5, "message": "x"}', JSON, 400, "connection_id: Input should be a valid string"),
    (b'{"connection_id": "c", "message": "x", "extra": 1}', JSON, 400, "extra: Extra inputs are not permitted"),
    (b'{"connection_id": "c", "message": "x", "delay_seconds": -1}', JSON, 400, "delay_seconds: Input should be greater than or equal to 0"),
    (b'{"connection_id": "c", "message": "x"}', {"Content-Type": "text/xml"}, 415, "Content-Type must be application/json"),
    (b"\xff\xfe", JSON, 400, "Malformed JSON body"),
])
def test_echo_rejects_input_and_writes_nothing_when_body_is_bad(client, alice, aws, body, headers, status, error):
    # Given
    _open(alice, "conn-1")
    items_before = [i for i in aws.table_items() if "COUNTER#" not in i["sk"]["S"]]
    # When
    response = client.http.post("/api/v1/ws/echo", headers={**alice.headers(), **headers}, body=body)
    # Then
    assert response.status_code == status
    assert response.json_body["error"] == error
    assert aws.queue_depth("agent-commands") == 0
    assert [i for i in aws.table_items() if "COUNTER#" not in i["sk"]["S"]] == items_before  # only the rate-limit counter moved


def test_echo_rejects_body_when_larger_than_the_route_limit(client, alice, aws):
    body = json.dumps({"connection_id": "c", "message": "x" * (1024 * 1024)})
    response = client.http.post("/api/v1/ws/echo", headers=alice.headers(), body=body)
    assert response.status_code == 413
    assert response.json_body["code"] == "payload_too_large"


def test_echo_over_fifteen_minutes_is_scheduled_when_delay_exceeds_sqs_limit(alice, aws):
    # Given
    _open(alice, "conn-1")
    # When
    response = alice.post("/api/v1/ws/echo", {"connection_id": "conn-1", "message": "later", "delay_seconds": 3600})
    # Then
    assert response.status_code == 202
    schedule = aws.client("scheduler").get_schedule(Name=response.json_body["reference"], GroupName=aws.resources.scheduler_group)
    assert schedule["ScheduleExpression"].startswith("at(")
    assert schedule["Target"]["Arn"] == aws.resources.queue_arns["agent-commands"]
    assert json.loads(schedule["Target"]["Input"])["message"] == "later"
    assert aws.queue_depth("agent-commands") == 0


def test_ticket_opens_one_connection_only_when_used_twice(alice):
    # Given
    ticket = service.issue_ticket(_ctx(alice))["ticket"]
    service.open_connection(connection_id="a", query={"ticket": ticket}, source_ip="127.0.0.1")
    # When / Then
    with pytest.raises(errors.Unauthenticated):
        service.open_connection(connection_id="b", query={"ticket": ticket}, source_ip="127.0.0.1")


def test_ticket_is_refused_when_expired(alice, monkeypatch):
    # Given a ticket issued 31 seconds ago
    issued_at = clock.now()
    ticket = service.issue_ticket(_ctx(alice))["ticket"]
    monkeypatch.setattr(clock, "now", lambda: issued_at + timedelta(seconds=31))
    # When / Then
    with pytest.raises(errors.Unauthenticated):
        service.open_connection(connection_id="a", query={"ticket": ticket}, source_ip="127.0.0.1")


@pytest.mark.parametrize("query", [None, {}, {"ticket": ""}, {"ticket": "forged"}])
def test_connection_is_refused_when_ticket_is_missing_or_forged(aws, query):
    with pytest.raises(errors.Unauthenticated):
        service.open_connection(connection_id="a", query=query, source_ip="127.0.0.1")
    assert not [i for i in aws.table_items() if i["pk"]["S"].startswith("CONN#")]


def test_send_at_never_delivers_early_when_the_delay_has_a_fraction(aws):
    from chalicelib.aws import queue

    queue.send_at(aws.resources.queue_urls["agent-commands"], aws.resources.queue_arns["agent-commands"], {"m": 1},
                  deliver_at=clock.now() + timedelta(seconds=0.5), schedule_name="unused")
    attrs = aws.client("sqs").get_queue_attributes(QueueUrl=aws.resources.queue_urls["agent-commands"],
                                                   AttributeNames=["ApproximateNumberOfMessagesDelayed"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"
    assert aws.client("sqs").receive_message(QueueUrl=aws.resources.queue_urls["agent-commands"]).get("Messages") is None
