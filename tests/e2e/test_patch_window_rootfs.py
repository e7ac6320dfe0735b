"""A maintenance window end to end, with real installs in disposable Debian roots: the window's schedule fires on the
local stack's scheduler, one run per host rolls out one at a time through our agents (each in its own root), a hold
keeps a package back on one host, the hooks run around the package operation, the reboot decision is reported, and
the rollout stops at its failure limit so the last host is never touched.

Needs root and PATCHMON_TEST_ROOTFS (a debootstrapped Debian with python3): `make rootfs-test`. Skipped otherwise.
"""
from __future__ import annotations

import os
import pathlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e import rootfs
from tests.e2e.patching import api, run
from tests.e2e.stack import LocalStackProcess, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
BASE = pathlib.Path(os.environ.get("PATCHMON_TEST_ROOTFS", "/nonexistent"))
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

if not (hasattr(os, "geteuid") and os.geteuid() == 0 and (BASE / "usr/bin/python3").exists()):
    pytest.skip("needs root and PATCHMON_TEST_ROOTFS naming a Debian root with python3 (make rootfs-test)", allow_module_level=True)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    process = LocalStackProcess(tmp_path_factory.mktemp("window-stack"), **{"ws-idle-timeout": 600})
    process.start()
    process.token = process.setup_admin()
    yield process
    process.stop()


@pytest.fixture
def hosts(stack, tmp_path):
    """Four hosts, each with our agent in its own copy of the root; window-c's repository is broken (its upgrade fails)."""
    roots, agents, found = [], [], {}
    try:
        for name in ("window-a", "window-b", "window-c", "window-d"):
            root = rootfs.disposable_copy(BASE, tmp_path / name)
            roots.append(root)
            rootfs.install_demo_repo(root)
            if name == "window-c":
                (root / "srv/repo/patchmon-demo_1.1-1_all.deb").write_bytes(b"not a package")
            created = api(stack, "POST", "/hosts/create", json={"friendly_name": name}).json()
            agents.append(rootfs.start_agent(root, server_url=stack.url, api_id=created["apiId"], api_key=created["apiKey"]))
            found[name] = {"host_id": created["hostId"], "root": root}
        for host in found.values():
            wait_for(lambda h=host: (d := api(stack, "GET", f"/hosts/{h['host_id']}").json())["connected"] and d["last_report_at"], 120,
                     "every agent to connect and report")
        yield found
    finally:
        for agent in agents:
            agent.terminate()
        for agent in agents:
            agent.wait(timeout=40)
        for root in roots:
            rootfs.remove_copy(root)


def test_a_window_rolls_out_on_schedule_with_holds_hooks_reboot_decisions_and_a_failure_limit(stack, hosts):
    # Given a window that opens at the next minute, one host at a time, stopping at the first failure
    opens = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (opens - datetime.now(UTC)).total_seconds() < 20:
        opens += timedelta(minutes=1)
    policy = api(stack, "POST", "/patching/policies", json={
        "name": "Nightly", "patch_delay_type": "maintenance_window", "timezone": "UTC", "reboot_policy": "if_required",
        "pre_hooks": ["echo pre-hook ran"], "post_hooks": ["cat /usr/share/patchmon-demo/VERSION"],
        "window": {"days": [DAYS[opens.weekday()]], "time": opens.strftime("%H:%M"), "duration_minutes": 60,
                   "rollout": {"max_concurrency": 1, "max_errors": 1}}})
    assert policy.status_code == 201, policy.text
    policy_id = policy.json()["id"]
    group = api(stack, "POST", "/host-groups", json={"name": "window-hosts"}).json()["id"]
    for host in hosts.values():
        api(stack, "PUT", f"/hosts/{host['host_id']}/groups", json={"group_ids": [group]})
    assert api(stack, "POST", f"/patching/policies/{policy_id}/assignments",
               json={"target_type": "host_group", "target_id": group}).status_code == 201
    assert api(stack, "POST", "/patching/holds", json={"target_type": "host", "target_id": hosts["window-b"]["host_id"],
                                                      "pattern": "patchmon-demo", "reason": "pinned"}).status_code == 201
    # When the window opens (the local scheduler fires its schedule)
    rollout = wait_for(lambda: (items := api(stack, "GET", "/patching/rollouts").json()["items"]) and items[0], 150, "the window to open")
    done = wait_for(lambda: (r := api(stack, "GET", f"/patching/rollouts/{rollout['id']}").json())["status"] != "running" and r, 240,
                    "the rollout to end")
    runs = {r["host_name"]: run(stack, r["id"]) for r in api(stack, "GET", f"/patching/runs?rollout_id={rollout['id']}").json()["items"]}
    # Then it rolled out one host at a time, in name order, and stopped at the failure
    assert done["status"] == "stopped" and "1 failed" in done["stop_reason"], done
    assert [runs[n]["status"] for n in ("window-a", "window-b", "window-c", "window-d")] == ["completed", "completed", "failed", "cancelled"]
    started = sorted((runs[n]["started_at"], runs[n]["completed_at"]) for n in ("window-a", "window-b", "window-c"))
    assert all(earlier[1] <= later[0] for earlier, later in zip(started, started[1:])), started  # never two at once
    # and the hooks ran around the package operation, the hold kept the package back on window-b
    a = runs["window-a"]["shell_output"]
    assert a.index("pre-hook ran") < a.index("Setting up patchmon-demo (1.1-1)") < a.rindex("1.1")
    assert "Setting up patchmon-demo (1.1-1)" not in runs["window-b"]["shell_output"]
    assert (hosts["window-a"]["root"] / "usr/share/patchmon-demo/VERSION").read_text().strip() == "1.1"
    assert (hosts["window-b"]["root"] / "usr/share/patchmon-demo/VERSION").read_text().strip() == "1.0"
    assert runs["window-b"]["exclude_packages"] == ["patchmon-demo"]
    assert (hosts["window-d"]["root"] / "usr/share/patchmon-demo/VERSION").read_text().strip() == "1.0"
    # and each completed run reported its reboot decision (a chroot needs none)
    assert runs["window-a"]["reboot"]["decision"] == "not_required" and runs["window-a"]["reboot"]["policy"] == "if_required"
    assert runs["window-a"]["initiated_by"] == "Maintenance window Nightly"
