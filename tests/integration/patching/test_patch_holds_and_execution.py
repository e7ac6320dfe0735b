"""Beyond PatchMon: package holds, the policy's reboot and hooks carried to the agent, and the reboot reported back."""
from __future__ import annotations

from tests.factories.patching import agent_messages

HOLDS = "/api/v1/patching/holds"


def _hold(admin, target_type, target_id, pattern, **body):
    response = admin.post(HOLDS, {"target_type": target_type, "target_id": target_id, "pattern": pattern, **body})
    assert response.status_code == 201, response.body
    return response.json_body


def _trigger(admin, agent, **body):
    return admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, **body})


def _output(agent, run_id, stage, **body):
    response = agent.post(f"/patching/runs/{run_id}/output", {"stage": stage, **body})
    assert response.status_code == 200, response.body
    return response


def test_holds_of_a_host_and_its_groups_go_with_patch_all_runs_to_the_agent(admin, agent, commands, pushed):
    group = admin.post("/api/v1/host-groups", {"name": "db"}).json_body["id"]
    admin.put(f"/api/v1/hosts/{agent.host_id}/groups", {"group_ids": [group]})
    _hold(admin, "host", agent.host_id, "linux-image-*", reason="kernel upgrades in the change window only")
    _hold(admin, "host_group", group, "postgresql*")
    other_group = admin.post("/api/v1/host-groups", {"name": "web"}).json_body["id"]
    _hold(admin, "host_group", other_group, "nginx")  # not this host's group
    applying = admin.get(f"{HOLDS}?host_id={agent.host_id}").json_body["items"]
    assert sorted(h["pattern"] for h in applying) == ["linux-image-*", "postgresql*"]
    run_id = _trigger(admin, agent, patch_type="patch_all").json_body["patch_run_id"]
    assert admin.get(f"/api/v1/patching/runs/{run_id}").json_body["exclude_packages"] == ["linux-image-*", "postgresql*"]
    commands.deliver()
    assert agent_messages(pushed, "run_patch")[0]["exclude_packages"] == ["linux-image-*", "postgresql*"]


def test_patching_a_held_package_is_refused_and_creates_nothing(admin, agent, commands):
    _hold(admin, "host", agent.host_id, "openssl*")
    response = _trigger(admin, agent, patch_type="patch_package", package_names=["curl", "openssl"])
    assert response.status_code == 409 and response.json_body["code"] == "package_held"
    assert "openssl is held on web-01 (hold openssl*)" in response.json_body["error"]
    assert admin.get("/api/v1/patching/runs").json_body["items"] == []


def test_a_hold_added_after_validation_blocks_the_approval(admin, agent, commands):
    run_id = _trigger(admin, agent, patch_type="patch_package", package_names=["curl"], pending_approval=True).json_body["patch_run_id"]
    _hold(admin, "host", agent.host_id, "cur?")
    response = admin.post(f"/api/v1/patching/runs/{run_id}/approve", {})
    assert response.status_code == 409 and response.json_body["code"] == "package_held"
    assert admin.get(f"/api/v1/patching/runs/{run_id}").json_body["status"] == "pending_approval"


def test_holds_are_released_and_go_with_their_host(admin, agent):
    hold = _hold(admin, "host", agent.host_id, "curl")
    assert admin.post(HOLDS, {"target_type": "host", "target_id": agent.host_id, "pattern": "curl"}).status_code == 409
    assert admin.delete(f"{HOLDS}/{hold['id']}").status_code == 200
    assert admin.delete(f"{HOLDS}/{hold['id']}").status_code == 404
    _hold(admin, "host", agent.host_id, "vim")
    admin.delete(f"/api/v1/hosts/{agent.host_id}")
    assert admin.get(HOLDS).json_body["items"] == []


def test_bad_holds_are_refused(admin, agent):
    for body in ({"target_type": "host", "target_id": agent.host_id, "pattern": "bad pattern"},
                 {"target_type": "host", "target_id": agent.host_id, "pattern": "*;rm"},
                 {"target_type": "host", "target_id": "nope", "pattern": "curl"},
                 {"target_type": "planet", "target_id": agent.host_id, "pattern": "curl"}):
        assert admin.post(HOLDS, body).status_code in (400, 404)
    assert admin.get(HOLDS).json_body["items"] == []


def test_the_policys_reboot_and_hooks_go_to_the_agent_for_real_runs_only(admin, agent, commands, pushed):
    policy = admin.post("/api/v1/patching/policies", {
        "name": "Careful", "patch_delay_type": "immediate", "reboot_policy": "if_required",
        "pre_hooks": ["systemctl stop myapp"], "post_hooks": ["systemctl start myapp"], "post_reboot_hooks": ["/usr/local/bin/smoke-test"]})
    assert policy.status_code == 201, policy.body
    admin.post(f"/api/v1/patching/policies/{policy.json_body['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    _trigger(admin, agent, patch_type="patch_package", package_names=["curl"], dry_run=True)
    commands.deliver()
    dry = agent_messages(pushed, "run_patch")[-1]
    assert "pre_hooks" not in dry and "reboot" not in dry
    _trigger(admin, agent, patch_type="patch_all")
    commands.deliver()
    real = agent_messages(pushed, "run_patch")[-1]
    assert real["reboot"] == "if_required" and real["pre_hooks"] == ["systemctl stop myapp"]
    assert real["post_hooks"] == ["systemctl start myapp"] and real["post_reboot_hooks"] == ["/usr/local/bin/smoke-test"]


def test_invalid_hooks_are_refused(admin):
    for hooks in (["ok", "two\nlines"], [""], ["x"] * 11, ["x" * 1025]):
        response = admin.post("/api/v1/patching/policies", {"name": "H", "patch_delay_type": "immediate", "pre_hooks": hooks})
        assert response.status_code == 400, hooks


def test_a_reboot_is_reported_then_the_host_coming_back_with_its_new_kernel(admin, agent, commands):
    from chalicelib.events import service as events

    run_id = _trigger(admin, agent, patch_type="patch_all").json_body["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "completed", output="done\n", reboot={"policy": "always", "required": True, "decision": "rebooting",
                                                                  "reason": "kernel updated", "kernel_before": "6.1.0-25-amd64"})
    run = admin.get(f"/api/v1/patching/runs/{run_id}").json_body
    assert run["status"] == "completed" and run["reboot"]["status"] == "rebooting"
    _output(agent, run_id, "rebooted", output="$ /usr/local/bin/smoke-test\nok\n",
            reboot={"kernel_before": "6.1.0-25-amd64", "kernel_after": "6.1.0-26-amd64", "new_kernel": True})
    reboot = admin.get(f"/api/v1/patching/runs/{run_id}").json_body["reboot"]
    assert reboot["status"] == "host_back" and reboot["kernel_after"] == "6.1.0-26-amd64" and reboot["new_kernel"] is True
    assert _output(agent, run_id, "rebooted").json_body["ignored"] == "already recorded"
    assert "patch_host_rebooted" in {e["type"] for e in events.recent(admin.tenant.tenant_id)}


def test_a_reboot_needed_but_not_allowed_raises_patch_reboot_required(admin, agent, commands):
    from chalicelib.events import service as events

    run_id = _trigger(admin, agent, patch_type="patch_all").json_body["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "completed", output="done\n", reboot={"policy": "never", "required": True, "decision": "not_allowed",
                                                                  "reason": "kernel updated"})
    recorded = [e for e in events.recent(admin.tenant.tenant_id) if e["type"] == "patch_reboot_required"]
    assert len(recorded) == 1 and recorded[0]["severity"] == "warning"
    response = agent.post(f"/patching/runs/{run_id}/output", {"stage": "rebooted"})
    assert response.status_code == 409 and response.json_body["code"] == "no_reboot_pending"


def test_a_failed_reboot_is_recorded_and_raises_patch_reboot_required(admin, agent, commands):
    from chalicelib.events import service as events

    run_id = _trigger(admin, agent, patch_type="patch_all").json_body["patch_run_id"]
    commands.deliver()
    _output(agent, run_id, "completed", output="done\n", reboot={"policy": "always", "required": False, "decision": "rebooting"})
    _output(agent, run_id, "reboot_failed", output="", error_message="the host did not reboot: the agent restarted before the reboot")
    reboot = admin.get(f"/api/v1/patching/runs/{run_id}").json_body["reboot"]
    assert reboot["status"] == "failed" and reboot["error"].startswith("the host did not reboot")
    assert [e["type"] for e in events.recent(admin.tenant.tenant_id) if e["type"] == "patch_reboot_required"] == ["patch_reboot_required"]


def test_packages_the_host_holds_itself_are_shown_on_the_host(admin, agent):
    from tests.factories.fleet import full_report, package

    report = {**full_report([package("curl", "1.0")]), "heldPackages": ["linux-image-amd64", "docker-ce", "docker-ce"]}
    assert agent.post("/hosts/update", report).status_code == 200
    host = admin.get(f"/api/v1/hosts/{agent.host_id}").json_body
    assert host["held_packages"] == ["docker-ce", "linux-image-amd64"] and host["held_packages_count"] == 2
    bad = {**full_report([package("curl", "1.0")]), "heldPackages": ["x" * 300]}
    assert agent.post("/hosts/update", bad).status_code == 400


def test_a_run_can_set_its_own_reboot_policy_over_its_policys(admin, agent, commands, pushed):
    policy = admin.post("/api/v1/patching/policies", {"name": "Reboots", "patch_delay_type": "immediate", "reboot_policy": "always"}).json_body
    admin.post(f"/api/v1/patching/policies/{policy['id']}/assignments", {"target_type": "host", "target_id": agent.host_id})
    _trigger(admin, agent, patch_type="patch_all", reboot_policy="never")
    commands.deliver()
    assert agent_messages(pushed, "run_patch")[-1]["reboot"] == "never"
    source = _trigger(admin, agent, patch_type="patch_all", pending_approval=True).json_body["patch_run_id"]
    approved = admin.post(f"/api/v1/patching/runs/{source}/approve", {"reboot_policy": "if_required"}).json_body["patch_run_id"]
    assert admin.get(f"/api/v1/patching/runs/{approved}").json_body["reboot_policy"] == "if_required"
    commands.deliver()
    assert agent_messages(pushed, "run_patch")[-1]["reboot"] == "if_required"
    assert _trigger(admin, agent, patch_type="patch_all", reboot_policy="sometimes").status_code == 400
