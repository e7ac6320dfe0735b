"""The agent's WebSocket client against the real local stack (infra/local: API Gateway WebSocket emulator,
$connect/$default/$disconnect Lambdas, SQS, @connections), with short gateway timeouts."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from patchmon_agent.ws import ws_url
from tests.agent.ws_helpers import Running, wait_for
from tests.e2e.stack import LocalStackProcess

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("agent-ws-e2e"), pytest.mark.timeout(150)]

IDLE_TIMEOUT = 3  # seconds; the gateway closes a connection without a message for this long


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """One local stack whose gateway drops idle connections after IDLE_TIMEOUT seconds."""
    process = LocalStackProcess(tmp_path_factory.mktemp("ws-stack"), **{"ws-idle-timeout": IDLE_TIMEOUT})
    process.start()
    process.token = process.setup_admin()
    yield process
    process.stop()
    assert "Traceback" not in process.log()


def _auth(stack: LocalStackProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token}"}


def _enrol(stack: LocalStackProcess, name: str) -> dict:
    response = httpx.post(f"{stack.url}/api/v1/hosts/create", json={"friendly_name": name}, headers=_auth(stack))
    assert response.status_code == 201, response.text
    return response.json()


def _credentials(host: dict) -> dict[str, str]:
    return {"X-API-ID": host["apiId"], "X-API-KEY": host["apiKey"]}


def _connected(stack: LocalStackProcess, host: dict) -> bool:
    return httpx.get(f"{stack.url}/api/v1/hosts/{host['hostId']}", headers=_auth(stack)).json()["connected"]


def _agent(stack: LocalStackProcess, host: dict, **kwargs) -> Running:
    agent = Running(ws_url(stack.url), **kwargs)
    agent.socket.headers.update(_credentials(host))
    return agent


def _fetch_report(stack: LocalStackProcess, host: dict, agent: Running, attempts: int = 4) -> None:
    """Ask for a report until it arrives (a push racing an idle close is dropped by design: the agent is then offline)."""
    for _ in range(attempts):
        asked = httpx.post(f"{stack.url}/api/v1/hosts/{host['hostId']}/fetch-report", headers=_auth(stack))
        assert asked.status_code == 202
        try:
            wait_for(lambda: {"type": "report_now"} in agent.messages, timeout=8)
            return
        except AssertionError:
            continue
    raise AssertionError("report_now never reached the agent")


def test_agent_is_connected_and_receives_report_now_when_its_credentials_are_valid(stack):
    """Presence shows the agent connected, a fetch-report reaches it, and heartbeats hold it past the idle timeout."""
    # Given an enrolled host whose agent heartbeats more often than the gateway's idle timeout
    host = _enrol(stack, "ws-agent")
    with _agent(stack, host, heartbeat_seconds=1) as agent:
        # When it connects and an operator asks for a report
        wait_for(lambda: _connected(stack, host), timeout=10)
        asked = httpx.post(f"{stack.url}/api/v1/hosts/{host['hostId']}/fetch-report", headers=_auth(stack))
        assert asked.status_code == 202
        # Then the report request arrives, over the one connection, which outlives the idle timeout
        wait_for(lambda: agent.messages, timeout=15)
        time.sleep(IDLE_TIMEOUT + 1.5)
        assert agent.messages == [{"type": "report_now"}]
        assert agent.socket.connection_count == 1 and agent.socket.connected
    # And a clean close ends the presence
    wait_for(lambda: not _connected(stack, host), timeout=10)


def test_agent_reconnects_when_the_gateway_closes_it_for_idleness(stack):
    """With the heartbeat longer than the idle timeout, the gateway's 1001 close is followed by a reconnect."""
    # Given an agent whose heartbeat is far longer than the idle timeout
    host = _enrol(stack, "ws-idle")
    with _agent(stack, host, heartbeat_seconds=120) as agent:
        # When the gateway drops it for idleness
        wait_for(lambda: agent.socket.connection_count >= 2, timeout=4 * IDLE_TIMEOUT)
        # Then it is back: presence says connected and commands still reach it
        assert agent.events[:3] == ["connect", "disconnect", "connect"]
        wait_for(lambda: _connected(stack, host), timeout=10)
        _fetch_report(stack, host, agent)


def test_presence_holds_when_the_connection_is_rotated_at_max_age(stack):
    """Make before break: the new connection exists before the old closes, so presence never reads disconnected."""
    # Given an agent whose connections age out after 2 s
    host = _enrol(stack, "ws-rotate")
    with _agent(stack, host, heartbeat_seconds=1, max_age_seconds=2) as agent:
        wait_for(lambda: _connected(stack, host), timeout=10)
        # When it rotates twice
        seen = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and agent.socket.connection_count < 3:
            seen.append(_connected(stack, host))
            time.sleep(0.1)
        time.sleep(0.5)  # the last $disconnect has run
        seen.append(_connected(stack, host))
        # Then presence stayed connected throughout and the agent never saw itself disconnected
        assert agent.socket.connection_count >= 3
        assert all(seen) and agent.events == ["connect"]
        _fetch_report(stack, host, agent)


def test_large_message_passes_the_gateway_when_split_into_frames(stack):
    """A 100 KB message goes out in frames under the gateway's 32 KB quota: no 1009, the $default integration answers."""
    # Given a connected agent
    host = _enrol(stack, "ws-large")
    with _agent(stack, host, heartbeat_seconds=1) as agent:
        wait_for(lambda: agent.socket.connected, timeout=10)
        # When it sends 100 KB (our server answers unknown actions with an error message)
        assert agent.socket.send({"action": "bulk", "type": "rdp_proxy_data", "data": "x" * 100_000})
        # Then the integration's answer comes back over the same connection
        wait_for(lambda: any(m.get("type") == "error" for m in agent.messages), timeout=15)
        assert agent.socket.connection_count == 1


def test_refused_agent_backs_off_when_its_key_is_wrong(stack):
    """A 401 at the upgrade is logged once as a warning, then retried with exponential backoff: no tight loop."""
    # Given an agent presenting a wrong key
    host = _enrol(stack, "ws-bad-key")
    handler = ListHandler()
    logger = logging.getLogger("tests.agent.ws.refused")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        agent = _agent(stack, host, logger=logger)
        agent.socket.headers["X-API-KEY"] = "wrong-" + host["apiKey"]
        # When it runs for 8 s
        with agent:
            time.sleep(8)
    finally:
        logger.removeHandler(handler)
    # Then it tried a few times only, never connected, and said why without leaking the key
    failures = [r for r in handler.records if "connect failed" in r.getMessage()]
    assert 2 <= len(failures) <= 8, [r.getMessage() for r in failures]
    assert failures[0].levelno == logging.WARNING and "HTTP 401: Invalid API credentials" in failures[0].getMessage()
    assert all(r.levelno == logging.DEBUG for r in failures[1:])
    assert agent.socket.connection_count == 0 and not _connected(stack, host)
    assert not any(host["apiKey"] in r.getMessage() for r in handler.records)


def test_agent_reconnects_when_the_stack_restarts(tmp_path):
    """After the stack stops (1001 to every client) and starts again on the same data and port, the agent is back."""
    # Given a stack and a connected agent
    stack = LocalStackProcess(tmp_path)
    stack.start()
    try:
        stack.token = stack.setup_admin()
        host = _enrol(stack, "ws-restart")
        agent = _agent(stack, host, heartbeat_seconds=1)
        agent.socket.backoff_cap = 2.0  # keep the test short; the product caps at 32 s
        with agent:
            wait_for(lambda: _connected(stack, host), timeout=10)
            # When the stack restarts
            assert stack.stop() == 0
            stack.start()
            # Then the agent reconnects by itself, presence says so and commands reach it
            wait_for(lambda: agent.socket.connection_count >= 2, timeout=30)
            assert agent.events[:3] == ["connect", "disconnect", "connect"]
            wait_for(lambda: _connected(stack, host), timeout=10)
            _fetch_report(stack, host, agent)
    finally:
        stack.stop()
    assert "Traceback" not in stack.log()
