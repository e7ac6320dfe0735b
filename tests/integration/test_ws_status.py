"""GET /ws/status*: agents' WebSocket presence before, during and after a connection; never another tenant's."""
from __future__ import annotations

import pytest

from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in
from tests.factories.websocket import connect_agent as _connect
from tests.factories.websocket import disconnect as _disconnect

NEVER = {"connected": False, "secure": False, "last_connected_at": None, "disconnected_at": None, "disconnected_seconds_ago": None}


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


@pytest.fixture
def other(client, aws):
    return sign_in(client, make_tenant("bravo"), "broot", role="superadmin")


def _status(session, api_id: str):
    return session.get(f"/api/v1/ws/status/{api_id}")


def test_status_is_empty_when_the_agent_never_connected(admin):
    agent = enrol(admin)
    response = _status(admin, agent.api_id)
    assert response.status_code == 200
    assert response.json_body == {"success": True, "data": NEVER}


def test_status_is_connected_and_secure_when_the_agent_connected_over_tls(admin):
    agent = enrol(admin)
    _connect(agent, "c1", **{"X-Forwarded-Proto": "https"})
    data = _status(admin, agent.api_id).json_body["data"]
    assert data["connected"] is True and data["secure"] is True and data["last_connected_at"]
    assert data["disconnected_at"] is None and data["disconnected_seconds_ago"] is None


def test_status_shows_how_long_ago_the_agent_left_when_it_disconnected(admin, clock_at):
    # Given an agent that connected (plain http) and left
    agent = enrol(admin)
    _connect(agent, "c1")
    connected_at = _status(admin, agent.api_id).json_body["data"]["last_connected_at"]
    clock_at.advance(minutes=5)
    _disconnect("c1")
    # When 90 s pass
    clock_at.advance(seconds=90)
    data = _status(admin, agent.api_id).json_body["data"]
    # Then
    assert data["connected"] is False and data["secure"] is False
    assert data["last_connected_at"] == connected_at and data["disconnected_at"]
    assert data["disconnected_seconds_ago"] == 90


def test_status_of_another_tenants_agent_is_not_found_like_an_unknown_id_when_asked(admin, other):
    # Given tenant B's connected agent
    b_agent = enrol(other, "bravo-host")
    _connect(b_agent, "cb")
    # When tenant A asks for it and for an id that does not exist
    foreign, unknown = _status(admin, b_agent.api_id), _status(admin, "patchmon_0000000000000000")
    # Then both answers are the same 404, naming nothing
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json_body == unknown.json_body == {"error": "Agent not found", "code": "not_found"}


def test_bulk_status_leaves_out_ids_that_are_not_the_tenants_when_listed(admin, other):
    mine, theirs = enrol(admin, "mine"), enrol(other, "theirs")
    _connect(mine, "c1")
    _connect(theirs, "c2")
    response = admin.get(f"/api/v1/ws/status?api_ids={mine.api_id},{theirs.api_id},nope,{mine.api_id}")
    assert response.status_code == 200
    assert list(response.json_body["data"]) == [mine.api_id]
    assert response.json_body["data"][mine.api_id]["connected"] is True


def test_bulk_status_accepts_the_reference_parameter_name_when_sent(admin):
    agent = enrol(admin)
    assert admin.get(f"/api/v1/ws/status?apiIds={agent.api_id}").json_body["data"] == {agent.api_id: NEVER}


def test_bulk_status_is_refused_when_too_many_ids_are_asked(admin):
    ids = ",".join(f"id{i}" for i in range(201))
    assert admin.get(f"/api/v1/ws/status?api_ids={ids}").status_code == 400


def test_status_pages_through_the_tenants_hosts_when_no_ids_are_given(admin, other):
    agents = [enrol(admin, name) for name in ("a", "b", "c")]
    enrol(other, "z")
    _connect(agents[1], "c1")
    first = admin.get("/api/v1/ws/status?limit=2").json_body
    second = admin.get(f"/api/v1/ws/status?limit=2&cursor={first['next_cursor']}").json_body
    assert list(first["data"]) == [agents[0].api_id, agents[1].api_id] and second["next_cursor"] is None
    assert list(second["data"]) == [agents[2].api_id]
    assert first["data"][agents[1].api_id]["connected"] is True


def test_summary_counts_only_the_tenants_connected_agents_when_asked(admin, other):
    first, second, _third = enrol(admin, "a"), enrol(admin, "b"), enrol(admin, "c")
    _connect(first, "c1")
    _connect(second, "c2")
    _disconnect("c2")
    _connect(enrol(other, "z"), "c3")
    assert admin.get("/api/v1/ws/status/summary").json_body == {"connected": 1, "total": 3}


def test_status_needs_the_view_hosts_permission_when_asked(admin):
    agent = enrol(admin)
    admin.put("/api/v1/permissions/roles/no_hosts", {"permissions": ["can_view_dashboard"]})
    user = sign_in(admin.client, admin.tenant, "nohosts", role="no_hosts")
    assert _status(user, agent.api_id).status_code == 403
    assert user.get("/api/v1/ws/status/summary").status_code == 403
