"""Maintenance windows: recurring schedules kept in step with the policy, the runs a window opens, its cut-off."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.core import clock
from chalicelib.events import service as events
from chalicelib.patching import window_runs
from chalicelib.patching.events import WindowOccurrence
from tests.factories.fleet import enrol, full_report, package

BASE = "/api/v1/patching/policies"
WINDOW = {"days": ["SAT", "SUN"], "time": "02:00", "duration_minutes": 120, "warn_minutes": 60}


def _window_policy(admin, name="Weekend", **window):
    response = admin.post(BASE, {"name": name, "patch_delay_type": "maintenance_window", "timezone": "Europe/London",
                                 "window": {**WINDOW, **window}})
    assert response.status_code == 201, response.body
    return response.json_body


def _schedules(aws) -> dict[str, dict]:
    client = aws.client("scheduler")
    group = aws.resources.scheduler_group
    return {s["Name"]: client.get_schedule(Name=s["Name"], GroupName=group) for s in client.list_schedules(GroupName=group)["Schedules"]}


def _open(admin, policy_id, *, at=None, kind="patching.window_opened", now=None):
    at = at or clock.now().replace(microsecond=0)
    event = WindowOccurrence(type=kind, tenant_id=admin.tenant.tenant_id, policy_id=policy_id,
                             scheduled_time=at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return window_runs.handle(event, now=now)


def test_a_window_policy_keeps_its_schedules_in_step(admin, aws):
    policy = _window_policy(admin)
    schedules = _schedules(aws)
    opening, warning = schedules[f"mw-{policy['id']}"], schedules[f"mww-{policy['id']}"]
    assert opening["ScheduleExpression"] == "cron(0 2 ? * SUN,SAT *)" and opening["ScheduleExpressionTimezone"] == "Europe/London"
    assert warning["ScheduleExpression"] == "cron(0 1 ? * SUN,SAT *)" and opening["State"] == "ENABLED"
    assert '"type":"patching.window_opened"' in opening["Target"]["Input"] and "<aws.scheduler.scheduled-time>" in opening["Target"]["Input"]
    paused = admin.put(f"{BASE}/{policy['id']}", {"name": "Weekend", "patch_delay_type": "maintenance_window", "timezone": "Europe/London",
                                                  "window": {**WINDOW, "paused": True}})
    assert paused.status_code == 200 and paused.json_body["window"]["paused"] is True
    assert {s["State"] for s in _schedules(aws).values()} == {"DISABLED"}
    admin.put(f"{BASE}/{policy['id']}", {"name": "Weekend", "patch_delay_type": "immediate"})
    assert _schedules(aws) == {}
    again = _window_policy(admin, "Again")
    assert admin.delete(f"{BASE}/{again['id']}").status_code == 200
    assert _schedules(aws) == {}


def test_a_warning_before_a_midnight_window_moves_to_the_day_before(admin, aws):
    policy = _window_policy(admin, days=["MON"], time="00:30", warn_minutes=60)
    assert _schedules(aws)[f"mww-{policy['id']}"]["ScheduleExpression"] == "cron(30 23 ? * SUN *)"


@pytest.mark.parametrize("window,message", [
    ({"days": ["MON"], "time": "02:00", "cron": "cron(0 2 * * ? *)"}, "not both"),
    ({"days": ["MON"]}, "give days and time"),
    ({"cron": "cron(0 2 * * * *)"}, "window"),
    ({"days": ["FUNDAY"], "time": "02:00"}, "days"),
    ({"days": ["MON"], "time": "02:00", "duration_minutes": 5}, "duration_minutes"),
    ({"cron": "cron(0 2 * * ? *)", "warn_minutes": 30}, "warning"),
])
def test_invalid_windows_are_refused_and_schedule_nothing(admin, aws, window, message):
    response = admin.post(BASE, {"name": "Bad", "patch_delay_type": "maintenance_window", "window": window})
    assert response.status_code == 400 and message in response.json_body["error"], response.body
    assert admin.get(BASE).json_body["items"] == [] and _schedules(aws) == {}


def test_a_window_opening_creates_a_run_per_host_of_the_window_once(admin, aws, commands):
    group = admin.post("/api/v1/host-groups", {"name": "web"}).json_body["id"]
    direct = enrol(admin, "db-01")
    member, excluded, elsewhere = (enrol(admin, name, hostGroupIds=[group]) for name in ("web-01", "web-02", "web-03"))
    policy = _window_policy(admin)
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": direct.host_id})
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host_group", "target_id": group})
    admin.post(f"{BASE}/{policy['id']}/exclusions", {"host_id": excluded.host_id})
    other = admin.post(BASE, {"name": "Other", "patch_delay_type": "immediate"}).json_body
    admin.post(f"{BASE}/{other['id']}/assignments", {"target_type": "host", "target_id": elsewhere.host_id})
    admin.post("/api/v1/patching/holds", {"target_type": "host_group", "target_id": group, "pattern": "nginx*"})
    opened_at = clock.now().replace(microsecond=0)

    assert _open(admin, policy["id"], at=opened_at) == "opened: 2 runs"
    runs = admin.get("/api/v1/patching/runs").json_body["items"]
    assert sorted(r["host_name"] for r in runs) == ["db-01", "web-01"]
    web = next(r for r in runs if r["host_name"] == "web-01")
    detail = admin.get(f"/api/v1/patching/runs/{web['id']}").json_body
    assert detail["status"] == "queued" and detail["patch_type"] == "patch_all" and detail["exclude_packages"] == ["nginx*"]
    assert detail["initiated_by"] == "Maintenance window Weekend" and detail["policy_name"] == "Weekend"
    assert clock.parse_iso(detail["not_after"]) == opened_at + timedelta(minutes=120)
    assert len(commands.due()) == 2
    assert _open(admin, policy["id"], at=opened_at) == "dropped: occurrence already handled"  # redelivered
    assert len(admin.get("/api/v1/patching/runs").json_body["items"]) == 2
    opened = [e for e in events.recent(admin.tenant.tenant_id) if e["type"] == "maintenance_window_opened"]
    assert opened[0]["data"]["runs"] == 2


def test_a_security_only_window_patches_each_hosts_security_updates_but_not_held_ones(admin, aws, commands):
    host = enrol(admin, "web-01")
    host.post("/hosts/update", full_report([package("openssl", "1.0", available="1.1", security=True),
                                            package("nginx", "1.0", available="1.1", security=True),
                                            package("vim", "1.0", available="1.1")]))
    quiet = enrol(admin, "web-02")
    quiet.post("/hosts/update", full_report([package("vim", "1.0", available="1.1")]))
    policy = _window_policy(admin, operation="security")
    for agent in (host, quiet):
        admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    admin.post("/api/v1/patching/holds", {"target_type": "host", "target_id": host.host_id, "pattern": "nginx"})
    assert _open(admin, policy["id"]) == "opened: 1 runs"  # web-02 has no security update
    run = admin.get("/api/v1/patching/runs").json_body["items"][0]
    assert run["patch_type"] == "patch_package" and run["package_names"] == ["openssl"]


def test_a_run_not_started_when_its_window_closes_is_cancelled_not_started_late(admin, aws, commands, pushed):
    agent = enrol(admin, "web-01")
    policy = _window_policy(admin)
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    opened_at = clock.now().replace(microsecond=0)
    _open(admin, policy["id"], at=opened_at)
    assert commands.deliver(now=opened_at + timedelta(minutes=5)) == "retry: agent offline"  # the host is offline
    assert commands.deliver(now=opened_at + timedelta(minutes=121)) == "cancelled: window closed"
    run = admin.get("/api/v1/patching/runs").json_body["items"][0]
    assert run["status"] == "cancelled" and run["error_message"] == "The maintenance window closed before the run could start"


def test_a_window_that_has_already_closed_opens_nothing(admin, aws, commands):
    agent = enrol(admin, "web-01")
    policy = _window_policy(admin)
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    at = clock.now() - timedelta(hours=3)
    assert _open(admin, policy["id"], at=at) == "dropped: the window has closed"


def test_a_paused_window_opens_nothing(admin, aws, commands):
    agent = enrol(admin, "web-01")
    policy = _window_policy(admin, paused=True)
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    assert _open(admin, policy["id"]) == "dropped: no such active window"


def test_the_warning_records_an_event_with_the_next_opening(admin, aws):
    agent = enrol(admin, "web-01")
    policy = _window_policy(admin)
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    assert _open(admin, policy["id"], kind="patching.window_warning") == "warned: 1 hosts"
    upcoming = [e for e in events.recent(admin.tenant.tenant_id) if e["type"] == "maintenance_window_upcoming"][0]
    assert upcoming["data"]["hosts"] == 1 and upcoming["data"]["opens_at"]


def test_a_run_triggered_by_hand_on_a_window_host_waits_for_the_next_opening(admin, aws, commands):
    agent = enrol(admin, "web-01")
    policy = _window_policy(admin)
    admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    created = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, "patch_type": "patch_all"}).json_body
    assert created["status"] == "scheduled"
    preview = admin.get(f"/api/v1/patching/preview-run?host_id={agent.host_id}").json_body
    assert preview["patch_delay_type"] == "maintenance_window" and preview["run_at_iso"] == created["run_at"]


def test_a_windows_rollout_is_kept_and_shown(admin, aws):
    policy = _window_policy(admin, rollout={"max_concurrency": "25%", "max_errors": 2})
    assert policy["window"]["rollout"] == {"max_concurrency": "25%", "max_errors": 2, "ring_success_threshold": 100}
    assert admin.get(f"{BASE}/{policy['id']}").json_body["window"]["rollout"]["max_errors"] == 2
