"""WebSocket lifecycle events as API Gateway delivers them to the app's $connect / $disconnect handlers."""
from __future__ import annotations

from typing import Any

import app
from infra.local.lambda_runtime import LambdaContext

CONTEXT = LambdaContext("ws", 256, 10, "arn")


def connect_event(connection_id: str, headers: dict[str, str], *, query: dict[str, str] | None = None) -> dict[str, Any]:
    return {"headers": headers, "queryStringParameters": query,
            "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id, "domainName": "localhost",
                               "stage": "api", "apiId": "local", "identity": {"sourceIp": "10.0.0.5"}}}


def connect(connection_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """Run $connect; returns the handler's answer (statusCode 200, or the refusal)."""
    return app.ws_connect(connect_event(connection_id, headers), CONTEXT)


def connect_agent(agent: Any, connection_id: str, **headers: str) -> None:
    """Connect a simulated agent (tests/factories/fleet.Agent) with its credentials; it must be accepted."""
    response = connect(connection_id, {"X-API-ID": agent.api_id, "X-API-KEY": agent.api_key, "Host": agent.host, **headers})
    assert response["statusCode"] == 200, response


def disconnect(connection_id: str) -> None:
    app.ws_disconnect({"requestContext": {"routeKey": "$disconnect", "eventType": "DISCONNECT", "connectionId": connection_id,
                                          "domainName": "localhost", "stage": "api", "apiId": "local"}}, CONTEXT)
