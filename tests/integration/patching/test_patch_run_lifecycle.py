"""Patch runs through their lifecycle as an operator and the host's agent drive them over the API (C8–C11)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.core import clock
from tests.factories.fleet import full_report, package
from tests.factories.patching import agent_messages
from tests.factories.websocket import disconnect


def _trigger(admin, agent, **body):
    response = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, **body})
    assert response.status_code == 201, response.body
    return response.json_body


def _run(admin, run_id):
    response = admin.get(f"/api/v1/patching/runs/{run_id}")
    assert response.status_code == 200, response.body
    return response.json_body


def _output(agent, run_id, stage, **body):
    return agent.post(f"/patching/runs/{run_id}/output", {"stage": stage, **body})


APT_DRY_RUN = """Reading package lists...
Building dependency tree...
The following packages will be upgraded:
  libssl3 openssl
Inst libssl3 [3.0.11-1] (3.0.13-1 Debian:12.5/stable [amd64])
Inst openssl [3.0.11-1] (3.0.13-1 Debian:12.5/stable [amd64])
Conf libssl3 (3.0.13-1 Debian:12.5/stable [amd64])
Conf openssl (3.0.13-1 Debian:12.5/stable [amd64])
"""


def test_a_patch_all_run_is_queued_sent_to_the_agent_streams_and_completes(admin, agent, commands, pushed):
    created = _trigger(admin, agent, patch_type="patch_all")
    run_id = created["patch_run_id"]
    assert created["status"] == "queued" and created["queued"] is True
    assert _run(admin, run_id)["status"] == "queued"

    assert commands.deliver() == "sent"
    assert agent_messages(pushed, "run_patch") == [{"type": "run_patch", "patch_run_id": run_id, "patch_type": "patch_all", "dry_run": False}]
    assert _run(admin, run_id)["status"] == "running"

    assert _output(agent, run_id, "started").status_code == 200
    assert _output(agent, run_id, "progress", output="$ apt-get update -qq\n").status_code == 200
    assert _output(agent, run_id, "progress", output="Setting up openssl (3.0.13-1) ...\n").status_code == 200
    assert _run(admin, run_id)["shell_output"] == "$ apt-get update -qq\nSetting up openssl (3.0.13-1) ...\n"

    final = "$ apt-get update -qq\nSetting up openssl (3.0.13-1) ...\n--- Patch run completed at 2026-11-27T10:00:00Z ---\n"
    assert _output(agent, run_id, "completed", output=final).status_code == 200
    run = _run(admin, run_id)
    assert run["status"] == "completed" and run["shell_output"] == final and run["completed_at"] and run["started_at"]
    assert run["post_patch"] == "awaiting_report"
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["awaiting_post_patch_report_run_id"] == run_id

    assert agent.post("/hosts/update", full_report([package("openssl", "3.0.13-1")])).status_code == 200
    assert _run(admin, run_id)["post_patch"] == "report_received"
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["awaiting_post_patch_report_run_id"] is None


def test_a_dry_run_is_validated_with_the_packages_it_would_change_and_approval_creates_the_execution_run(admin, agent, commands, pushed):
    created = _trigger(admin, agent, patch_type="patch_package", package_names=["openssl"], dry_run=True)
    run_id = created["patch_run_id"]
    assert created["status"] == "pending_validation"
    assert commands.deliver() == "sent"
    assert agent_messages(pushed, "run_patch")[0] == {"type": "run_patch", "patch_run_id": run_id, "patch_type": "patch_package",
                                                      "dry_run": True, "package_names": ["openssl"], "package_name": "openssl"}
    _output(agent, run_id, "started")
    assert _output(agent, run_id, "dry_run_completed", output=APT_DRY_RUN).status_code == 200
    run = _run(admin, run_id)
    assert run["status"] == "validated" and run["approvable"] is True
    assert [p["name"] for p in run["packages_affected"]] == ["libssl3", "openssl"]
    assert run["extra_deps_count"] == 1

    approved = admin.post(f"/api/v1/patching/runs/{run_id}/approve", {})
    assert approved.status_code == 201, approved.body
    execution_id = approved.json_body["patch_run_id"]
    assert approved.json_body["status"] == "queued" and approved.json_body["validation_run_id"] == run_id
    source = _run(admin, run_id)
    assert source["status"] == "approved" and source["execution_run_id"] == execution_id and source["approved_by"] == "root"
    execution = _run(admin, execution_id)
    assert execution["validation_run_id"] == run_id and execution["dry_run"] is False and execution["package_names"] == ["openssl"]
    assert commands.deliver() == "sent"
    assert agent_messages(pushed, "run_patch")[-1]["dry_run"] is False


def test_a_run_submitted_for_approval_is_not_sent_until_approved(admin, agent, commands):
    created = _trigger(admin, agent, patch_type="patch_all", pending_approval=True)
    assert created["status"] == "pending_approval" and created["pending_approval"] is True
    assert commands.due() == []
    approved = admin.post(f"/api/v1/patching/runs/{created['patch_run_id']}/approve", {"schedule_override": "immediate"})
    assert approved.status_code == 201
    assert len(commands.due()) == 1 and commands.deliver() == "sent"


def test_skip_and_patch_approves_a_run_still_pending_validation(admin, agent, commands):
    created = _trigger(admin, agent, patch_type="patch_package", package_name="curl", dry_run=True)
    approved = admin.post(f"/api/v1/patching/runs/{created['patch_run_id']}/approve", {})
    assert approved.status_code == 201
    assert _run(admin, created["patch_run_id"])["status"] == "approved"
    # The dry run's message now finds a run that is no longer pending: it sends nothing.
    assert commands.deliver(0) == "dropped: run is approved"


def test_a_second_approval_of_the_same_run_gets_409_and_creates_no_second_execution_run(admin, agent, commands):
    created = _trigger(admin, agent, patch_type="patch_all", pending_approval=True)
    first = admin.post(f"/api/v1/patching/runs/{created['patch_run_id']}/approve", {})
    second = admin.post(f"/api/v1/patching/runs/{created['patch_run_id']}/approve", {})
    assert first.status_code == 201 and second.status_code == 409
    assert second.json_body["error"].startswith("Only validated")
    assert admin.get("/api/v1/patching/dashboard").json_body["totals"]["total"] == 2


def test_racing_approvals_resolve_to_one_winner_when_both_read_the_run_first(admin, agent, commands, monkeypatch):
    """Two approvals that both passed the status check: the conditional write lets exactly one through."""
    from chalicelib.core import errors
    from chalicelib.core.tenancy import TenantContext
    from chalicelib.patching import run_store, runs

    created = _trigger(admin, agent, patch_type="patch_all", pending_approval=True)
    stale = run_store.get(admin.tenant.tenant_id, created["patch_run_id"], consistent=True)
    ctx = TenantContext(tenant_id=admin.tenant.tenant_id, principal="user:x", user_id=admin.user_id, modules=frozenset({"patching"}))
    runs.approve(ctx, run_id=created["patch_run_id"], schedule_override=None)
    monkeypatch.setattr(run_store, "get", lambda *a, **k: dict(stale))  # the loser read before the winner wrote
    with pytest.raises(errors.Conflict):
        runs.approve(ctx, run_id=created["patch_run_id"], schedule_override=None)
    monkeypatch.undo()
    totals = admin.get("/api/v1/patching/dashboard").json_body["totals"]
    assert totals["total"] == 2 and totals["approved"] == 1 and totals["queued"] == 1


def test_stop_cancels_a_running_run_and_tells_the_agent_whose_later_report_only_fills_in_the_output(admin, agent, commands, pushed):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "started")
    stopped = admin.post(f"/api/v1/patching/runs/{run_id}/stop")
    assert stopped.status_code == 202 and stopped.json_body["cancelled_via"] == "agent_signal"
    assert agent_messages(pushed, "patch_run_stop") == [{"type": "patch_run_stop", "patch_run_id": run_id}]
    assert _run(admin, run_id)["status"] == "cancelled"
    assert _output(agent, run_id, "cancelled", output="partial\n--- Patch run stopped by user ---\n",
                   error_message="stopped by user").status_code == 200
    run = _run(admin, run_id)
    assert run["status"] == "cancelled" and run["shell_output"].startswith("partial")
    assert admin.post(f"/api/v1/patching/runs/{run_id}/stop").status_code == 409


def test_stop_racing_a_completion_leaves_one_outcome(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    assert _output(agent, run_id, "completed", output="done\n").status_code == 200
    late_stop = admin.post(f"/api/v1/patching/runs/{run_id}/stop")
    assert late_stop.status_code == 409
    assert _run(admin, run_id)["status"] == "completed"


def test_a_completion_racing_a_stop_only_fills_in_the_output(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    assert admin.post(f"/api/v1/patching/runs/{run_id}/stop").status_code == 202
    assert _output(agent, run_id, "completed", output="all done\n").status_code == 200
    run = _run(admin, run_id)
    assert run["status"] == "cancelled" and run["shell_output"] == "all done\n"
    assert admin.get("/api/v1/patching/dashboard").json_body["totals"]["cancelled"] == 1


def test_stop_when_the_agent_is_not_connected_is_refused_with_409(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    disconnect("agent-conn-1")
    assert _run(admin, run_id)["status"] == "agent_disconnected"
    response = admin.post(f"/api/v1/patching/runs/{run_id}/stop")
    assert response.status_code == 409


def test_an_offline_host_keeps_its_run_queued_and_it_is_retried_every_five_minutes(admin, agent, commands, pushed):
    disconnect("agent-conn-1")
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    assert commands.deliver() == "retry: agent offline"
    retry = commands.due()[-1]
    assert retry["delay"] == 300 and retry["message"]["attempt"] == 1
    assert _run(admin, run_id)["status"] == "queued"
    assert commands.deliver(0) == "dropped: stale attempt"  # the first message again: stale
    from tests.factories.websocket import connect_agent

    connect_agent(agent, "agent-conn-1")  # reconnecting sends the waiting run now, as a new attempt
    now_message = commands.due()[-1]
    assert now_message["delay"] == 0 and now_message["message"]["attempt"] == 2
    assert commands.deliver() == "sent"
    assert commands.deliver(-2) == "dropped: stale attempt"  # the 5-minute retry, when it comes
    assert [m["patch_run_id"] for m in agent_messages(pushed, "run_patch")] == [run_id]


def test_run_events_are_recorded_for_alerts(admin, agent, commands):
    from chalicelib.events import service as events

    source = _trigger(admin, agent, patch_type="patch_package", package_names=[f"pkg{i}" for i in range(7)], pending_approval=True)
    run_id = admin.post(f"/api/v1/patching/runs/{source['patch_run_id']}/approve", {}).json_body["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "started")
    _output(agent, run_id, "failed", output="E: x\n", error_message="E" * 400)
    recorded = {e["type"]: e for e in events.recent(admin.tenant.tenant_id)}
    assert set(recorded) == {"patch_run_approved", "patch_run_started", "patch_run_failed"}
    failed = recorded["patch_run_failed"]
    assert failed["severity"] == "error" and failed["data"]["host_name"] == "web-01" and len(failed["data"]["error"]) == 300
    assert failed["data"]["packages"] == "pkg0, pkg1, pkg2, pkg3, pkg4 ... and 2 more" and failed["data"]["policy_name"] == "Default"


def test_an_offline_host_fails_its_run_after_the_retry_bound(admin, agent, commands, monkeypatch):
    from chalicelib.patching import model

    monkeypatch.setattr(model, "OFFLINE_RETRY_LIMIT", 3)
    disconnect("agent-conn-1")
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    assert commands.deliver() == "retry: agent offline"
    assert commands.deliver() == "retry: agent offline"
    assert commands.deliver() == "failed: offline too long"
    run = _run(admin, run_id)
    assert run["status"] == "failed" and "not connected" in run["error_message"]


def test_a_redelivered_message_never_sends_run_patch_twice(admin, agent, commands, pushed):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    assert commands.deliver() == "sent"
    assert commands.deliver() == "dropped: run is running"
    assert len(agent_messages(pushed, "run_patch")) == 1
    assert _run(admin, run_id)["status"] == "running"


def test_a_concurrent_duplicate_delivery_sends_once(admin, agent, commands, pushed, monkeypatch):
    """Two workers that both read the queued run: the claim lets one send."""
    from chalicelib.patching import run_store

    _trigger(admin, agent, patch_type="patch_all")
    real_get = run_store.get
    first_read = {}

    def stale_get(tenant_id, run_id, consistent=False):
        first_read.setdefault(run_id, real_get(tenant_id, run_id, consistent=True))
        return dict(first_read[run_id])

    monkeypatch.setattr(run_store, "get", stale_get)
    outcomes = {commands.deliver(), commands.deliver()}
    assert outcomes == {"sent", "dropped: already dispatched"}
    assert len(agent_messages(pushed, "run_patch")) == 1


def test_deleting_a_scheduled_run_removes_its_schedule_and_its_late_message_sends_nothing(admin, agent, commands, pushed):
    policy = admin.post("/api/v1/patching/policies", {"name": "Nightly", "patch_delay_type": "fixed_time", "fixed_time": "03:00"}).json_body
    admin.post(f"/api/v1/patching/policies/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    created = _trigger(admin, agent, patch_type="patch_all")
    run_id = created["patch_run_id"]
    assert created["status"] == "scheduled"
    run = _run(admin, run_id)
    fires = clock.parse_iso(run["scheduled_at"])
    assert fires > clock.now() and fires.strftime("%H:%M") == "03:00"
    if fires - clock.now() > timedelta(minutes=15):
        assert list(commands.schedules) == [f"pr-{run_id}"]
        payload = commands.schedules[f"pr-{run_id}"]["payload"]
    else:
        payload = commands.due()[-1]["message"]
    assert admin.delete(f"/api/v1/patching/runs/{run_id}").status_code == 200
    assert commands.schedules == {}
    assert admin.get(f"/api/v1/patching/runs/{run_id}").status_code == 404
    from chalicelib.patching import dispatch
    from chalicelib.patching.events import PatchRunDue

    assert dispatch.handle_due(PatchRunDue.model_validate(payload)) == "dropped: run deleted"
    assert agent_messages(pushed, "run_patch") == []


def test_a_scheduled_run_becomes_queued_and_is_sent_when_its_time_comes(admin, agent, commands, pushed):
    policy = admin.post("/api/v1/patching/policies", {"name": "Later", "patch_delay_type": "delayed", "delay_minutes": 60}).json_body
    admin.post(f"/api/v1/patching/policies/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    assert _run(admin, run_id)["status"] == "scheduled"
    name = f"pr-{run_id}"
    assert name in commands.schedules
    fires = clock.parse_iso(_run(admin, run_id)["scheduled_at"])
    assert commands.fire(name, now=fires - timedelta(minutes=10)) == "requeued: not due yet"  # early: the rest by SQS delay
    assert 590 <= commands.due()[-1]["delay"] <= 601
    assert commands.fire(name, now=clock.now() + timedelta(minutes=61)) == "sent"
    assert _run(admin, run_id)["status"] == "running"


def test_schedule_override_immediate_queues_at_once_but_keeps_the_policy_snapshot(admin, agent, commands):
    policy = admin.post("/api/v1/patching/policies", {"name": "Later", "patch_delay_type": "delayed", "delay_minutes": 60}).json_body
    admin.post(f"/api/v1/patching/policies/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    created = _trigger(admin, agent, patch_type="patch_all", schedule_override="immediate")
    run = _run(admin, created["patch_run_id"])
    assert run["status"] == "queued" and run["scheduled_at"] is None
    assert run["policy_name"] == "Later" and run["policy_snapshot"]["delay_minutes"] == 60


@pytest.mark.parametrize("status_path", ["running", "completed"])
def test_runs_that_started_cannot_be_deleted(admin, agent, commands, status_path):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    if status_path == "completed":
        _output(agent, run_id, "completed", output="ok\n")
    response = admin.delete(f"/api/v1/patching/runs/{run_id}")
    assert response.status_code == 409 and response.json_body["code"] == "not_deletable"


def test_retry_validation_sends_a_pending_dry_run_again_as_a_new_attempt(admin, agent, commands, pushed):
    disconnect("agent-conn-1")
    run_id = _trigger(admin, agent, patch_type="patch_package", package_names=["curl"], dry_run=True)["patch_run_id"]
    assert commands.deliver() == "retry: agent offline"
    from tests.factories.websocket import connect_agent

    connect_agent(agent, "agent-conn-1")
    assert admin.post(f"/api/v1/patching/runs/{run_id}/retry-validation").status_code == 202
    assert commands.deliver() == "sent"
    assert commands.deliver(-2) == "dropped: stale attempt"  # the 5-minute retry, superseded
    assert admin.post(f"/api/v1/patching/runs/{run_id}/retry-validation").status_code == 409


def test_a_running_run_with_no_output_for_30_minutes_times_out_and_a_late_result_still_lands(admin, agent, commands):
    from chalicelib.patching import runs

    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "started")
    assert runs.sweep_stalled(now=clock.now() + timedelta(minutes=10)) == {"timed_out": 0, "extended": 0}
    assert runs.sweep_stalled(now=clock.now() + timedelta(minutes=31)) == {"timed_out": 1, "extended": 0}
    assert _run(admin, run_id)["status"] == "timed_out"
    assert _output(agent, run_id, "completed", output="finally\n").status_code == 200
    assert _run(admin, run_id)["status"] == "completed"


def test_output_keeps_a_run_from_timing_out(admin, agent, commands, monkeypatch):
    from chalicelib.patching import runs

    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    later = clock.now() + timedelta(minutes=20)
    monkeypatch.setattr(clock, "now", lambda: later)
    _output(agent, run_id, "progress", output="still going\n")
    monkeypatch.undo()
    assert runs.sweep_stalled(now=later + timedelta(minutes=15)) == {"timed_out": 0, "extended": 1}
    assert runs.sweep_stalled(now=later + timedelta(minutes=31)) == {"timed_out": 1, "extended": 0}


def test_an_agent_that_disconnects_mid_run_leaves_it_agent_disconnected_until_it_speaks_again(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    disconnect("agent-conn-1")
    assert _run(admin, run_id)["status"] == "agent_disconnected"
    assert _output(agent, run_id, "progress", output="reconnected\n").status_code == 200
    assert _run(admin, run_id)["status"] == "running"


def test_an_agent_cannot_post_output_for_another_hosts_run(admin, agent, commands):
    from tests.factories.fleet import enrol

    other = enrol(admin, "db-01")
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    response = _output(other, run_id, "completed", output="x")
    assert response.status_code == 404
    assert _run(admin, run_id)["status"] == "running"


def test_a_final_stage_that_does_not_fit_the_run_is_refused(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    response = _output(agent, run_id, "dry_run_completed", output="x")
    assert response.status_code == 400 and "does not apply" in response.json_body["error"]


def test_a_failed_run_keeps_the_agents_error_message(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "failed", output="E: broken\n", error_message="exit status 100")
    run = _run(admin, run_id)
    assert run["status"] == "failed" and run["error_message"] == "exit status 100"
    assert _output(agent, run_id, "failed", output="again").json_body == {"ok": True, "ignored": "result already recorded"}


def test_a_trigger_for_several_hosts_creates_one_run_per_host(admin, agent, commands):
    from tests.factories.fleet import enrol

    other = enrol(admin, "db-01")
    response = admin.post("/api/v1/patching/trigger", {"host_ids": [agent.host_id, other.host_id], "patch_type": "patch_all"})
    assert response.status_code == 201
    assert {r["host_id"] for r in response.json_body["runs"]} == {agent.host_id, other.host_id}
    listed = admin.get("/api/v1/patching/runs").json_body["items"]
    assert {r["host_name"] for r in listed} == {"web-01", "db-01"}


def test_the_runs_list_filters_by_status_type_and_host_and_pages_newest_first(admin, agent, commands):
    from tests.factories.fleet import enrol

    other = enrol(admin, "db-01")
    ids = [_trigger(admin, agent, patch_type="patch_all", pending_approval=True)["patch_run_id"] for _ in range(3)]
    _trigger(admin, other, patch_type="patch_package", package_names=["curl"])
    newest_first = [r["id"] for r in admin.get(f"/api/v1/patching/runs?host_id={agent.host_id}").json_body["items"]]
    assert newest_first == list(reversed(ids))
    assert len(admin.get("/api/v1/patching/runs?status=pending_approval").json_body["items"]) == 3
    assert [r["host_name"] for r in admin.get("/api/v1/patching/runs?type=patch_package").json_body["items"]] == ["db-01"]
    assert [r["host_name"] for r in admin.get("/api/v1/patching/runs?status=active").json_body["items"]] == ["db-01"]
    page = admin.get("/api/v1/patching/runs?limit=2").json_body
    rest = admin.get(f"/api/v1/patching/runs?limit=2&cursor={page['next_cursor']}").json_body
    assert len(page["items"]) == 2 and len(rest["items"]) == 2 and rest["next_cursor"] is None
    assert admin.get("/api/v1/patching/runs?status=bogus").status_code == 400


def test_the_dashboard_counts_runs_by_status(admin, agent, commands):
    _trigger(admin, agent, patch_type="patch_all", pending_approval=True)
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "failed", output="x", error_message="boom")
    totals = admin.get("/api/v1/patching/dashboard").json_body["totals"]
    assert totals["total"] == 2 and totals["pending_approval"] == 1 and totals["failed"] == 1 and totals["running"] == 0
    assert totals["awaiting_approval"] == 1
    assert admin.get("/api/v1/patching/dashboard?recent=false").json_body == {"totals": totals}
    assert len(admin.get("/api/v1/patching/runs?status=awaiting_approval").json_body["items"]) == 1


@pytest.mark.parametrize("body,message", [
    ({"patch_type": "patch_all", "dry_run": True}, "dry_run is only valid for patch_package"),
    ({"patch_type": "patch_package"}, "patch_package needs package_name or package_names"),
    ({"patch_type": "patch_package", "package_names": ["curl"], "dry_run": True, "pending_approval": True}, "cannot be combined"),
    ({"patch_type": "patch_package", "package_names": ["bad name;rm"]}, "package_names.0"),
    ({"patch_type": "patch_package", "package_names": ["p"] * 101}, "package_names"),
    ({"patch_type": "patch_all", "schedule_override": "later"}, "schedule_override"),
    ({"patch_type": "nope"}, "patch_type"),
])
def test_bad_triggers_are_refused_with_400_and_create_nothing(admin, agent, commands, body, message):
    response = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, **body})
    assert response.status_code == 400 and message in response.json_body["error"]
    assert admin.get("/api/v1/patching/runs").json_body["items"] == []


def test_a_trigger_naming_an_unknown_host_is_404_and_creates_no_run(admin, agent, commands):
    response = admin.post("/api/v1/patching/trigger", {"host_ids": [agent.host_id, "nope"], "patch_type": "patch_all"})
    assert response.status_code == 404
    assert admin.get("/api/v1/patching/runs").json_body["items"] == []
    assert commands.due() == []


def test_malformed_output_from_the_agent_is_refused(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_all")["patch_run_id"]
    commands.deliver()
    assert agent.post(f"/patching/runs/{run_id}/output", raw=b"{not json").status_code == 400
    assert agent.post(f"/patching/runs/{run_id}/output", {"stage": "exploded"}).status_code == 400
    assert _output(agent, run_id, "progress", output="x" * (64 * 1024 + 1)).status_code == 413
    assert _output(agent, "00000000-0000-0000-0000-000000000000", "progress", output="x").status_code == 404
