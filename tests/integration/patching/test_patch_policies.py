"""Patch policies over the API: CRUD, assignments, exclusions, resolution and its preview (C10)."""
from __future__ import annotations

import pytest

from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import TenantUpdate
from tests.factories.fleet import enrol
from tests.factories.identity import sign_in

BASE = "/api/v1/patching/policies"


def _policy(admin, name="Nightly", **body):
    response = admin.post(BASE, {"name": name, "patch_delay_type": "fixed_time", "fixed_time": "03:00", **body})
    assert response.status_code == 201, response.body
    return response.json_body


def _assign(admin, policy_id, target_type, target_id):
    response = admin.post(f"{BASE}/{policy_id}/assignments", {"target_type": target_type, "target_id": target_id})
    assert response.status_code == 201, response.body
    return response.json_body


def _preview(admin, host_id):
    response = admin.get(f"/api/v1/patching/preview-run?host_id={host_id}")
    assert response.status_code == 200, response.body
    return response.json_body


def _group(admin, name):
    return admin.post("/api/v1/host-groups", {"name": name}).json_body["id"]


def test_a_policy_is_created_listed_changed_and_deleted(admin):
    created = _policy(admin, description="Weeknights", timezone="Europe/London")
    assert created["fixed_time"] == "03:00" and created["fixed_time_utc"] == "03:00" and created["assignment_count"] == 0
    assert [p["name"] for p in admin.get(BASE).json_body["items"]] == ["Nightly"]
    changed = admin.put(f"{BASE}/{created['id']}", {"name": "Hold", "patch_delay_type": "delayed", "delay_minutes": 30})
    assert changed.status_code == 200 and changed.json_body["delay_minutes"] == 30 and changed.json_body["fixed_time"] is None
    assert admin.delete(f"{BASE}/{created['id']}").status_code == 200
    assert admin.get(BASE).json_body["items"] == []
    assert admin.get(f"{BASE}/{created['id']}").status_code == 404


@pytest.mark.parametrize("body,message", [
    ({"name": "x", "patch_delay_type": "delayed"}, "delay_minutes is required"),
    ({"name": "x", "patch_delay_type": "delayed", "delay_minutes": 0}, "delay_minutes"),
    ({"name": "x", "patch_delay_type": "fixed_time"}, "fixed_time (HH:MM) is required"),
    ({"name": "x", "patch_delay_type": "fixed_time", "fixed_time": "25:00"}, "must be HH:MM"),
    ({"name": "x", "patch_delay_type": "fixed_time", "fixed_time": "03:00", "timezone": "Nowhere/City"}, "unknown timezone"),
    ({"name": " ", "patch_delay_type": "immediate"}, "must not be blank"),
    ({"name": "x", "patch_delay_type": "weekly"}, "patch_delay_type"),
])
def test_invalid_policies_are_refused_with_400(admin, body, message):
    response = admin.post(BASE, body)
    assert response.status_code == 400 and message in response.json_body["error"]
    assert admin.get(BASE).json_body["items"] == []


def test_without_a_policy_runs_fire_immediately_via_the_default(admin):
    agent = enrol(admin)
    preview = _preview(admin, agent.host_id)
    assert preview["policy_name"] == "Default" and preview["patch_delay_type"] == "immediate" and preview["immediate"] is True


def test_a_direct_host_assignment_wins_over_group_assignments(admin):
    group = _group(admin, "web")
    agent = enrol(admin, hostGroupIds=[group])
    by_group = _policy(admin, "Group window")
    direct = _policy(admin, "Direct hold", patch_delay_type="delayed", delay_minutes=30, fixed_time=None)
    _assign(admin, by_group["id"], "host_group", group)
    assert _preview(admin, agent.host_id)["policy_name"] == "Group window"
    _assign(admin, direct["id"], "host", agent.host_id)
    preview = _preview(admin, agent.host_id)
    assert preview["policy_name"] == "Direct hold" and preview["patch_delay_type"] == "delayed" and preview["immediate"] is False


def test_with_conflicting_groups_the_oldest_assignment_wins_unless_it_excludes_the_host(admin):
    first_group, second_group = _group(admin, "a"), _group(admin, "b")
    agent = enrol(admin, hostGroupIds=[first_group, second_group])
    older, newer = _policy(admin, "Older"), _policy(admin, "Newer", fixed_time="04:00")
    _assign(admin, newer["id"], "host_group", second_group)  # created first: the oldest assignment
    _assign(admin, older["id"], "host_group", first_group)
    assert _preview(admin, agent.host_id)["policy_name"] == "Newer"
    assert admin.post(f"{BASE}/{newer['id']}/exclusions", {"host_id": agent.host_id}).status_code == 201
    assert _preview(admin, agent.host_id)["policy_name"] == "Older"
    assert admin.post(f"{BASE}/{newer['id']}/exclusions", {"host_id": agent.host_id}).status_code == 409
    assert admin.delete(f"{BASE}/{newer['id']}/exclusions/{agent.host_id}").status_code == 200
    assert _preview(admin, agent.host_id)["policy_name"] == "Newer"


def test_a_target_has_one_policy_and_assignments_can_be_removed(admin):
    agent = enrol(admin)
    first, second = _policy(admin, "One"), _policy(admin, "Two")
    assignment = _assign(admin, first["id"], "host", agent.host_id)
    taken = admin.post(f"{BASE}/{second['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    assert taken.status_code == 409 and taken.json_body["code"] == "already_assigned"
    detail = admin.get(f"{BASE}/{first['id']}").json_body
    assert detail["assignment_count"] == 1 and detail["assignments"][0]["target_name"] == "web-01"
    assert admin.delete(f"{BASE}/{first['id']}/assignments/{assignment['id']}").status_code == 200
    assert admin.get(f"{BASE}/{first['id']}").json_body["assignment_count"] == 0
    assert _assign(admin, second["id"], "host", agent.host_id)


def test_assigning_unknown_targets_is_404(admin):
    policy = _policy(admin)
    assert admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host", "target_id": "nope"}).status_code == 404
    assert admin.post(f"{BASE}/{policy['id']}/assignments", {"target_type": "host_group", "target_id": "nope"}).status_code == 404
    assert admin.post(f"{BASE}/{policy['id']}/exclusions", {"host_id": "nope"}).status_code == 404
    assert admin.delete(f"{BASE}/{policy['id']}/assignments/nope").status_code == 404


def test_deleting_a_policy_frees_its_targets_and_runs_keep_its_snapshot(admin, commands):
    agent = enrol(admin)
    policy = _policy(admin, "Nightly")
    _assign(admin, policy["id"], "host", agent.host_id)
    run_id = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, "patch_type": "patch_all"}).json_body["patch_run_id"]
    assert admin.delete(f"{BASE}/{policy['id']}").status_code == 200
    run = admin.get(f"/api/v1/patching/runs/{run_id}").json_body
    assert run["status"] == "scheduled" and run["policy_snapshot"]["name"] == "Nightly" and run["policy_snapshot"]["fixed_time"] == "03:00"
    assert _preview(admin, agent.host_id)["policy_name"] == "Default"
    other = _policy(admin, "Other")
    assert _assign(admin, other["id"], "host", agent.host_id)


def test_deleting_a_host_or_group_drops_its_assignment(admin):
    group = _group(admin, "web")
    agent = enrol(admin)
    policy = _policy(admin)
    _assign(admin, policy["id"], "host", agent.host_id)
    _assign(admin, policy["id"], "host_group", group)
    assert admin.delete(f"/api/v1/hosts/{agent.host_id}").status_code == 200
    assert admin.delete(f"/api/v1/host-groups/{group}").status_code == 200
    assert admin.get(f"{BASE}/{policy['id']}").json_body["assignments"] == []


def test_the_tenant_timezone_times_fixed_policies_without_their_own(admin):
    agent = enrol(admin)
    policy = _policy(admin)
    _assign(admin, policy["id"], "host", agent.host_id)
    assert admin.patch("/api/v1/settings", {"timezone": "Asia/Tokyo"}).status_code == 200
    preview = _preview(admin, agent.host_id)
    assert preview["timezone"] == "Asia/Tokyo" and preview["run_at_iso"][11:16] == "18:00"  # 03:00 JST
    assert admin.patch("/api/v1/settings", {"timezone": "Not/AZone"}).status_code == 400


def test_without_patching_policies_the_policy_routes_are_refused_and_runs_fire_immediately(client, admin, commands):
    agent = enrol(admin)
    policy = _policy(admin)
    _assign(admin, policy["id"], "host", agent.host_id)
    tenant_service.update(admin.tenant.tenant_id, TenantUpdate(plan="free"))
    tenant_service.clear_cache()
    refused = admin.get(BASE)
    assert refused.status_code == 403 and refused.json_body["code"] == "module_not_available"
    assert _preview(admin, agent.host_id)["policy_name"] == "Default"


def test_without_patching_every_patching_route_is_refused(client, admin):
    tenant_service.update(admin.tenant.tenant_id, TenantUpdate(plan="custom", custom_modules=["docker"]))
    tenant_service.clear_cache()
    for response in (admin.get("/api/v1/patching/runs"), admin.get("/api/v1/patching/dashboard"),
                     admin.post("/api/v1/patching/trigger", {"host_id": "x", "patch_type": "patch_all"})):
        assert response.status_code == 403 and response.json_body["code"] == "module_not_available"


def test_a_readonly_user_can_read_policies_and_runs_but_change_nothing(client, admin):
    reader = sign_in(client, admin.tenant, "reader", role="readonly")
    agent = enrol(admin)
    policy = _policy(admin)
    assert reader.get(BASE).status_code == 200
    assert reader.get("/api/v1/patching/runs").status_code == 200
    assert reader.post(BASE, {"name": "x", "patch_delay_type": "immediate"}).status_code == 403
    assert reader.delete(f"{BASE}/{policy['id']}").status_code == 403
    assert reader.post("/api/v1/patching/trigger", {"host_id": agent.host_id, "patch_type": "patch_all"}).status_code == 403
