"""Host status over time: pending → active → offline (missed check-ins, or WebSocket gone beyond the grace
period) → active again, with host_down / host_recovered events, decided by the scheduled sweep."""
from __future__ import annotations

import pytest

from chalicelib.events import service as events
from chalicelib.host import presence
from chalicelib.host import service as host_service
from functions import host_status_sweep
from infra.local.lambda_runtime import LambdaContext
from tests.factories.fleet import enrol, full_report, hashes_of, packages
from tests.factories.identity import Session, login, make_tenant, sign_in
from tests.factories.websocket import connect_agent as _connect
from tests.factories.websocket import disconnect as _disconnect

CONTEXT = LambdaContext("sweep", 256, 50, "arn")
INTERVAL_MINUTES = 60  # the default update interval; offline after 3 of them without a check-in


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _sweep() -> dict[str, int]:
    return host_status_sweep.handler({"source": "aws.events"}, CONTEXT)


def _report(agent) -> None:
    report = full_report(packages(3, outdated=1))
    assert agent.post("/hosts/update", {**report, "hashes": hashes_of(report)}).status_code == 200


def _fresh(admin) -> Session:
    """The admin signed in now (the test moves the clock past access-token lifetimes)."""
    response = login(admin.client, admin.tenant, "root")
    assert response.status_code == 200, response.json_body
    return Session(admin.client, admin.tenant, response.json_body["token"], response.json_body["refresh_token"], admin.user_id)


def _status(admin, agent) -> str:
    response = _fresh(admin).get(f"/api/v1/hosts/{agent.host_id}")
    assert response.status_code == 200, response.json_body
    return response.json_body["status"]


def _stats(admin) -> dict:
    return _fresh(admin).get("/api/v1/dashboard/stats").json_body


def _events(admin, event_type: str) -> list[dict]:
    return events.recent(admin.tenant.tenant_id, event_type=event_type)


def test_host_without_websocket_goes_offline_after_three_missed_check_ins_and_recovers_on_the_next(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    assert _status(admin, agent) == "active"
    clock_at.advance(minutes=3 * INTERVAL_MINUTES - 1)
    assert _sweep()["offline"] == 0 and _status(admin, agent) == "active"
    clock_at.advance(minutes=2)
    assert _sweep()["offline"] == 1
    assert _status(admin, agent) == "offline"
    stats = _stats(admin)
    assert stats["offline_hosts"] == 1 and stats["hosts_by_status"] == {"offline": 1}
    assert [h["host_id"] for h in _fresh(admin).get("/api/v1/hosts?status=offline").json_body["hosts"]] == [agent.host_id]
    [down] = _events(admin, "host_down")
    assert down["subject_id"] == agent.host_id and down["data"]["reason"] == "missed_checkins" and down["severity"] == "warning"
    assert _sweep()["due"] == 0  # settled once: an offline host is not read again by later sweeps

    clock_at.advance(minutes=30)
    assert agent.post("/hosts/ping").status_code == 200
    assert _status(admin, agent) == "active"
    assert _stats(admin)["hosts_by_status"] == {"active": 1}
    [up] = _events(admin, "host_recovered")
    assert up["subject_id"] == agent.host_id and up["data"]["offline_since"]


def test_every_check_in_moves_the_deadline(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    for _ in range(5):
        clock_at.advance(minutes=INTERVAL_MINUTES)
        assert agent.post("/hosts/ping").status_code == 200
        assert _sweep()["offline"] == 0
    assert _status(admin, agent) == "active" and _events(admin, "host_down") == []


def test_a_full_report_brings_an_offline_host_back(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    clock_at.advance(minutes=3 * INTERVAL_MINUTES + 1)
    _sweep()
    assert _status(admin, agent) == "offline"
    _report(agent)
    assert _status(admin, agent) == "active"
    assert len(_events(admin, "host_recovered")) == 1
    assert _stats(admin)["hosts_by_status"] == {"active": 1}


def test_connected_agent_stays_online_without_check_ins_and_costs_the_sweep_nothing(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    _connect(agent, "c1")
    clock_at.advance(hours=10)
    assert _sweep() == {"due": 0, "offline": 0, "rescheduled": 0, "dropped": 0, "raced": 0}
    assert _status(admin, agent) == "active"


def test_websocket_gone_beyond_the_grace_period_takes_the_host_offline(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    _connect(agent, "c1")
    _disconnect("c1")
    grace = admin.tenant.settings.host_offline_grace_seconds
    clock_at.advance(seconds=grace - 5)
    assert _sweep()["offline"] == 0 and _status(admin, agent) == "active"
    clock_at.advance(seconds=10)
    assert _sweep()["offline"] == 1 and _status(admin, agent) == "offline"
    [down] = _events(admin, "host_down")
    assert down["data"]["reason"] == "websocket_lost"
    _connect(agent, "c2")  # back: the connection itself is the proof of life
    assert _status(admin, agent) == "active" and len(_events(admin, "host_recovered")) == 1


def test_reconnect_inside_the_grace_period_is_not_an_outage(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    _connect(agent, "c1")
    _disconnect("c1")
    clock_at.advance(seconds=20)
    _connect(agent, "c2")
    clock_at.advance(hours=5)
    assert _sweep()["offline"] == 0
    assert _status(admin, agent) == "active" and _events(admin, "host_down") == []


def test_check_in_after_the_websocket_dropped_resets_the_deadline_to_the_check_in_rule(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    _connect(agent, "c1")
    _disconnect("c1")
    clock_at.advance(seconds=30)
    assert agent.post("/hosts/ping").status_code == 200  # alive over HTTPS even though its WebSocket is down
    clock_at.advance(minutes=10)
    assert _sweep()["offline"] == 0
    clock_at.advance(minutes=3 * INTERVAL_MINUTES)
    assert _sweep()["offline"] == 1


def test_pending_host_stays_pending_when_its_agent_goes_quiet(admin, clock_at):
    agent = enrol(admin)
    assert agent.post("/hosts/ping").status_code == 200
    clock_at.advance(hours=4)
    counts = _sweep()
    assert counts["dropped"] == 1 and counts["offline"] == 0
    assert _status(admin, agent) == "pending" and _events(admin, "host_down") == []


def test_check_in_racing_the_sweep_wins(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    clock_at.advance(minutes=3 * INTERVAL_MINUTES + 1)
    record = host_service.find_agent(agent.api_id)
    stale_due = record["watch_due"]
    assert agent.post("/hosts/ping").status_code == 200  # lands between the sweep's read and its write
    assert presence._settle(record, stale_due, int(clock_at.now.timestamp())) == "raced"
    assert _status(admin, agent) == "active" and _events(admin, "host_down") == []


def test_a_longer_update_interval_set_after_the_check_in_is_honoured(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    settings = admin.put("/api/v1/settings/security", {**admin.get("/api/v1/settings/security").json_body,
                                                        "agent_update_interval_minutes": 240})
    assert settings.status_code == 200, settings.json_body
    clock_at.advance(minutes=3 * INTERVAL_MINUTES + 1)  # past the old deadline, inside the new one (12 h)
    counts = _sweep()
    assert counts["rescheduled"] == 1 and _status(admin, agent) == "active"
    clock_at.advance(hours=10)
    assert _sweep()["offline"] == 1


def test_deleted_host_leaves_nothing_for_the_sweep(admin, clock_at):
    agent = enrol(admin)
    _report(agent)
    assert _fresh(admin).delete(f"/api/v1/hosts/{agent.host_id}").status_code in (200, 204)
    clock_at.advance(hours=4)
    assert _sweep()["due"] == 0
