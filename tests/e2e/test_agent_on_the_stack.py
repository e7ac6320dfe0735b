"""An agent against the running local stack: REST check-ins and reports, and commands over the WebSocket."""
from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.stack import LocalStackProcess
from tests.factories.fleet import full_report, hashes_of, packages

pytestmark = pytest.mark.timeout(90)


def _enrol(stack: LocalStackProcess, name: str) -> dict:
    response = httpx.post(f"{stack.url}/api/v1/hosts/create", json={"friendly_name": name},
                          headers={"Authorization": f"Bearer {stack.token}"})
    assert response.status_code == 201, response.text
    return response.json()


def test_agent_reports_and_receives_report_now_over_its_websocket(stack):
    host = _enrol(stack, "e2e-agent")
    creds = {"X-API-ID": host["apiId"], "X-API-KEY": host["apiKey"]}
    # startup as the official agent does it
    assert httpx.get(f"{stack.url}/api/v1/settings/update-interval", headers=creds).json() == {"updateInterval": 60}
    ping = httpx.post(f"{stack.url}/api/v1/hosts/ping", headers=creds).json()
    assert ping["hashGate"] is True and "packages" in ping["requestFull"]
    ws_url = f"ws://127.0.0.1:{stack.port}/api/v1/agents/ws"
    with connect(ws_url, additional_headers=creds, open_timeout=10) as ws:
        report = full_report(packages(200, outdated=5, security=2))
        stored = httpx.post(f"{stack.url}/api/v1/hosts/update", json={**report, "hashes": hashes_of(report)}, headers=creds, timeout=30)
        assert stored.json()["updatesAvailable"] == 5
        tick = httpx.post(f"{stack.url}/api/v1/hosts/ping", json={"hashes": hashes_of(report)}, headers=creds).json()
        assert "requestFull" not in tick
        # an operator asks for a report: REST -> SQS -> worker -> @connections -> this socket
        asked = httpx.post(f"{stack.url}/api/v1/hosts/{host['hostId']}/fetch-report", headers={"Authorization": f"Bearer {stack.token}"})
        assert asked.status_code == 202
        message = json.loads(ws.recv(timeout=20))
        while message.get("type") == "connected":  # keepalive frames may come first
            message = json.loads(ws.recv(timeout=20))
        assert message == {"type": "report_now"}
        detail = httpx.get(f"{stack.url}/api/v1/hosts/{host['hostId']}", headers={"Authorization": f"Bearer {stack.token}"}).json()
        assert detail["connected"] is True and detail["status"] == "active"


def test_agent_websocket_is_refused_with_401_when_credentials_are_wrong(stack):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{stack.port}/api/v1/agents/ws", additional_headers={"X-API-ID": "patchmon_x", "X-API-KEY": "y"},
                open_timeout=10)
    assert refused.value.response.status_code == 401
