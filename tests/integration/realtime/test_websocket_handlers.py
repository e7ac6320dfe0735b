"""The Chalice WebSocket handlers as API Gateway invokes them."""
from __future__ import annotations

import json

import app
from chalicelib.core.tenancy import TenantContext
from chalicelib.realtime import service
from infra.local.lambda_runtime import LambdaContext
from tests.factories.identity import make_tenant, make_user

CONTEXT = LambdaContext("ws", 256, 10, "arn")


def _event(route: str, connection_id: str, **extra) -> dict:
    return {"requestContext": {"routeKey": route, "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE"),
                               "connectionId": connection_id, "domainName": "localhost", "stage": "api", "apiId": "local",
                               "identity": {"sourceIp": "127.0.0.1"}}, **extra}


def test_connect_is_refused_with_401_when_ticket_is_missing(aws):
    response = app.ws_connect(_event("$connect", "c1", queryStringParameters=None), CONTEXT)
    assert response["statusCode"] == 401
    assert not [i for i in aws.table_items() if i["pk"]["S"].startswith("CONN#")]


def _ticket() -> str:
    tenant = make_tenant()
    user = make_user(tenant, "alice")
    return service.issue_ticket(TenantContext(tenant_id=tenant.tenant_id, principal="user", user_id=user["user_id"]))["ticket"]


def test_connect_is_accepted_and_recorded_when_ticket_is_valid(aws):
    ticket = _ticket()
    response = app.ws_connect(_event("$connect", "c1", queryStringParameters={"ticket": ticket}), CONTEXT)
    assert response["statusCode"] == 200
    assert any(i["pk"]["S"] == "CONN#c1" for i in aws.table_items())


def test_hello_is_answered_with_the_connection_id_when_sent(aws, pushed):
    app.ws_message(_event("$default", "c1", body=json.dumps({"action": "hello"})), CONTEXT)
    assert pushed["sent"] == [{"connection_id": "c1", "message": {"type": "welcome", "connection_id": "c1"}}]


def test_message_that_is_not_json_gets_an_error_reply_when_sent(aws, pushed):
    app.ws_message(_event("$default", "c1", body="not json"), CONTEXT)
    assert pushed["sent"][0]["message"] == {"type": "error", "error": "Unknown action"}


def test_disconnect_forgets_the_connection_when_invoked(aws):
    ticket = _ticket()
    app.ws_connect(_event("$connect", "c1", queryStringParameters={"ticket": ticket}), CONTEXT)
    app.ws_disconnect(_event("$disconnect", "c1"), CONTEXT)
    assert not any(i["pk"]["S"] == "CONN#c1" for i in aws.table_items())
