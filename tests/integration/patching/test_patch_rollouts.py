"""Rollouts: at most N hosts at once, stop after M failures, rings promoted on their success rate, stop as a unit."""
from __future__ import annotations

import pytest

from tests.factories.fleet import enrol
from tests.factories.websocket import connect_agent


@pytest.fixture
def fleet(admin, pushed):
    """Six connected hosts, the first two in the group "canary"."""
    canary = admin.post("/api/v1/host-groups", {"name": "canary"}).json_body["id"]
    agents = []
    for i in range(6):
        agent = enrol(admin, f"web-{i:02d}", **({"hostGroupIds": [canary]} if i < 2 else {}))
        connect_agent(agent, f"conn-{i}")
        agents.append(agent)
    return {"agents": agents, "canary": canary}


def _trigger(admin, fleet, **rollout):
    response = admin.post("/api/v1/patching/trigger", {"host_ids": [a.host_id for a in fleet["agents"]], "patch_type": "patch_all",
                                                       "rollout": rollout})
    assert response.status_code == 201, response.body
    return response.json_body


def _runs(admin, rollout_id) -> dict[str, dict]:
    items = admin.get(f"/api/v1/patching/runs?rollout_id={rollout_id}&limit=50").json_body["items"]
    return {r["host_name"]: r for r in items}


def _rollout(admin, rollout_id) -> dict:
    return admin.get(f"/api/v1/patching/rollouts/{rollout_id}").json_body


def _deliver_all(commands) -> list[str]:
    """Deliver every due message not yet delivered (as the worker would)."""
    outcomes = []
    while commands.undelivered():
        outcomes.append(commands.deliver_next())
    return outcomes


def _finish(admin, fleet, commands, host_name, stage="completed"):
    agent = fleet["agents"][int(host_name.removeprefix("web-"))]
    run = next(r for r in admin.get(f"/api/v1/patching/runs?host_id={agent.host_id}").json_body["items"])
    body = {"stage": stage, "output": "x\n", **({"error_message": "boom"} if stage == "failed" else {})}
    response = agent.post(f"/patching/runs/{run['id']}/output", body)
    assert response.status_code == 200, response.body
    _deliver_all(commands)


def _running(admin, rollout_id) -> list[str]:
    return sorted(name for name, r in _runs(admin, rollout_id).items() if r["status"] == "running")


def test_at_most_n_hosts_run_at_once_and_each_end_starts_the_next(admin, fleet, commands, pushed):
    rollout_id = _trigger(admin, fleet, max_concurrency=2)["rollout_id"]
    _deliver_all(commands)
    assert _running(admin, rollout_id) == ["web-00", "web-01"]
    assert sorted(r["status"] for r in _runs(admin, rollout_id).values()).count("waiting") == 4
    _finish(admin, fleet, commands, "web-00")
    assert _running(admin, rollout_id) == ["web-01", "web-02"]
    for name in ("web-01", "web-02", "web-03", "web-04", "web-05"):
        _finish(admin, fleet, commands, name)
    rollout = _rollout(admin, rollout_id)
    assert rollout["status"] == "completed" and rollout["succeeded"] == 6 and rollout["in_flight"] == 0
    assert sum(1 for p in pushed["sent"] if p["message"].get("type") == "run_patch") == 6


def test_a_percentage_limit_is_of_the_rollouts_hosts(admin, fleet, commands):
    rollout_id = _trigger(admin, fleet, max_concurrency="50%")["rollout_id"]
    _deliver_all(commands)
    assert len(_running(admin, rollout_id)) == 3 and _rollout(admin, rollout_id)["max_concurrency"] == 3


def test_the_rollout_stops_after_m_failures_and_cancels_what_has_not_started(admin, fleet, commands):
    rollout_id = _trigger(admin, fleet, max_concurrency=2, max_errors=2)["rollout_id"]
    _deliver_all(commands)
    _finish(admin, fleet, commands, "web-00", "failed")
    assert _rollout(admin, rollout_id)["status"] == "running"
    _finish(admin, fleet, commands, "web-01", "failed")
    rollout = _rollout(admin, rollout_id)
    assert rollout["status"] == "stopped" and "2 failed runs" in rollout["stop_reason"]
    statuses = {name: r["status"] for name, r in _runs(admin, rollout_id).items()}
    assert statuses["web-02"] == "running"  # started before the second failure: it finishes
    assert [statuses[f"web-0{i}"] for i in (3, 4, 5)] == ["cancelled"] * 3
    assert _runs(admin, rollout_id)["web-05"]["error_message"].startswith("Rollout stopped: stopped after 2 failed runs")


def test_the_second_ring_starts_only_when_the_first_reaches_its_success_threshold(admin, fleet, commands):
    rollout_id = _trigger(admin, fleet, first_ring_group_id=fleet["canary"], ring_success_threshold=100)["rollout_id"]
    _deliver_all(commands)
    assert _running(admin, rollout_id) == ["web-00", "web-01"]  # the canaries only, though no concurrency limit
    _finish(admin, fleet, commands, "web-00")
    assert _running(admin, rollout_id) == ["web-01"]
    _finish(admin, fleet, commands, "web-01")
    assert _running(admin, rollout_id) == ["web-02", "web-03", "web-04", "web-05"]
    assert _rollout(admin, rollout_id)["current_ring"] == 1


def test_a_first_ring_below_its_threshold_stops_the_rollout(admin, fleet, commands):
    rollout_id = _trigger(admin, fleet, first_ring_host_ids=[fleet["agents"][0].host_id, fleet["agents"][1].host_id],
                          ring_success_threshold=75)["rollout_id"]
    _deliver_all(commands)
    _finish(admin, fleet, commands, "web-00")
    _finish(admin, fleet, commands, "web-01", "failed")
    rollout = _rollout(admin, rollout_id)
    assert rollout["status"] == "stopped" and "50%" in rollout["stop_reason"] and "75%" in rollout["stop_reason"]
    assert rollout["rings"][0] == {"size": 2, "succeeded": 1, "failed": 1, "cancelled": 0} and rollout["rings"][1]["cancelled"] == 4
    assert all(r["status"] == "cancelled" for name, r in _runs(admin, rollout_id).items() if name >= "web-02")


def test_a_rollout_is_stopped_as_one_unit(admin, fleet, commands, pushed):
    rollout_id = _trigger(admin, fleet, max_concurrency=2)["rollout_id"]
    _deliver_all(commands)
    stopped = admin.post(f"/api/v1/patching/rollouts/{rollout_id}/stop")
    assert stopped.status_code == 202 and stopped.json_body["cancelled"] == 4 and stopped.json_body["stopped"] == 2
    assert {r["status"] for r in _runs(admin, rollout_id).values()} == {"cancelled"}
    assert sum(1 for p in pushed["sent"] if p["message"].get("type") == "patch_run_stop") == 2
    assert _rollout(admin, rollout_id)["status"] == "stopped"
    listed = admin.get("/api/v1/patching/rollouts").json_body["items"]
    assert listed[0]["id"] == rollout_id and listed[0]["waiting"] == 0


def test_a_late_duplicate_result_is_counted_once(admin, fleet, commands):
    rollout_id = _trigger(admin, fleet, max_concurrency=1)["rollout_id"]
    _deliver_all(commands)
    _finish(admin, fleet, commands, "web-00")
    agent = fleet["agents"][0]
    run_id = _runs(admin, rollout_id)["web-00"]["id"]
    agent.post(f"/patching/runs/{run_id}/output", {"stage": "completed", "output": "again"})
    rollout = _rollout(admin, rollout_id)
    assert rollout["succeeded"] == 1 and rollout["in_flight"] == 1


def test_deleting_a_waiting_run_lets_the_rollout_go_on(admin, fleet, commands):
    rollout_id = _trigger(admin, fleet, max_concurrency=1)["rollout_id"]
    _deliver_all(commands)
    waiting = _runs(admin, rollout_id)["web-05"]
    assert waiting["status"] == "waiting" and waiting["deletable"] is True
    assert admin.delete(f"/api/v1/patching/runs/{waiting['id']}").status_code == 200
    for name in ("web-00", "web-01", "web-02", "web-03", "web-04"):
        _finish(admin, fleet, commands, name)
    rollout = _rollout(admin, rollout_id)
    assert rollout["status"] == "completed" and rollout["succeeded"] == 5 and rollout["cancelled"] == 1


@pytest.mark.parametrize("rollout,message", [
    ({"max_concurrency": 0}, "max_concurrency"), ({"max_concurrency": "0%"}, "max_concurrency"), ({"max_errors": "101%"}, "max_errors"),
    ({"first_ring_group_id": "g", "first_ring_host_ids": ["h"]}, "not both"), ({"ring_success_threshold": 0}, "ring_success_threshold"),
])
def test_bad_rollouts_are_refused(admin, fleet, rollout, message):
    response = admin.post("/api/v1/patching/trigger", {"host_ids": [fleet["agents"][0].host_id], "patch_type": "patch_all", "rollout": rollout})
    assert response.status_code == 400 and message in response.json_body["error"]


def test_a_rollout_cannot_be_a_dry_run(admin, fleet):
    response = admin.post("/api/v1/patching/trigger", {"host_ids": [fleet["agents"][0].host_id], "patch_type": "patch_package",
                                                       "package_names": ["curl"], "dry_run": True, "rollout": {"max_concurrency": 1}})
    assert response.status_code == 400 and "rollout" in response.json_body["error"]
