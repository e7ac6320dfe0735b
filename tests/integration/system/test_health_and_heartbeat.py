"""Health of each component and the scheduler heartbeat."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.aws import ws_push
from chalicelib.core import clock
from functions import system_heartbeat
from infra.local.lambda_runtime import LambdaContext


@pytest.fixture
def gateway_up(monkeypatch):
    def info(connection_id):
        raise ws_push.ConnectionGone(connection_id)

    monkeypatch.setattr(ws_push, "info", info)


def _beat() -> None:
    system_heartbeat.handler({"id": "evt-1", "source": "aws.events"}, LambdaContext("system-heartbeat", 128, 10, "arn"))


def test_health_is_ok_when_every_component_answers(client, gateway_up):
    _beat()
    response = client.http.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json_body["status"] == "ok"
    assert set(response.json_body["components"]) == {"data", "queues", "scheduler", "websocket_gateway"}
    assert all(c["status"] == "ok" for c in response.json_body["components"].values())


def test_health_is_degraded_with_503_when_websocket_gateway_is_unreachable(client):
    _beat()
    response = client.http.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json_body["components"]["websocket_gateway"]["status"] == "error"
    assert response.json_body["components"]["data"]["status"] == "ok"


def test_scheduler_is_pending_when_no_heartbeat_yet(client, gateway_up):
    response = client.http.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json_body["components"]["scheduler"]["status"] == "pending"


def test_scheduler_is_stale_when_heartbeat_is_older_than_three_intervals(client, gateway_up, monkeypatch):
    _beat()
    later = clock.now() + timedelta(minutes=4)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.http.get("/api/v1/health")
    assert response.json_body["components"]["scheduler"]["status"] == "stale"


def test_heartbeat_records_its_source_event_when_fired(aws):
    _beat()
    beat = [i for i in aws.table_items() if i["pk"]["S"] == "SYS#heartbeat"]
    assert beat[0]["source"]["S"] == "evt-1"
