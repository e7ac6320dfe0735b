"""A real patch, end to end, inside a disposable Debian root: trigger a dry run → validated with the extra dependency
→ approve → queued → running with live output → completed → the package is upgraded in the copy → the agent's
post-patch report arrives. Our agent's zipapp runs inside the copy (chroot), so apt changes the copy, never this machine.

Needs root and PATCHMON_TEST_ROOTFS (a debootstrapped Debian with python3): `make rootfs-test`. Skipped otherwise.
"""
from __future__ import annotations

import os
import pathlib

import pytest

from tests.e2e import rootfs
from tests.e2e.patching import LiveLog, api, run, wait_for_status
from tests.e2e.stack import LocalStackProcess, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]
BASE = pathlib.Path(os.environ.get("PATCHMON_TEST_ROOTFS", "/nonexistent"))

if not (hasattr(os, "geteuid") and os.geteuid() == 0 and (BASE / "usr/bin/python3").exists()):
    pytest.skip("needs root and PATCHMON_TEST_ROOTFS naming a Debian root with python3 (make rootfs-test)", allow_module_level=True)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    process = LocalStackProcess(tmp_path_factory.mktemp("patch-rootfs-stack"), **{"ws-idle-timeout": 600})
    process.start()
    process.token = process.setup_admin()
    yield process
    process.stop()


@pytest.fixture
def host_in_root(stack, tmp_path):
    """A host whose agent serves from inside a disposable root that offers patchmon-demo 1.0 → 1.1 (+ a new dependency)."""
    with rootfs.rootfs_copy(BASE, tmp_path / "copy") as root:
        rootfs.install_demo_repo(root)
        created = api(stack, "POST", "/hosts/create", json={"friendly_name": "rootfs-debian"})
        assert created.status_code == 201, created.text
        host = created.json()
        agent = rootfs.start_agent(root, server_url=stack.url, api_id=host["apiId"], api_key=host["apiKey"])
        try:
            wait_for(lambda: (d := api(stack, "GET", f"/hosts/{host['hostId']}").json())["connected"] and d["last_report_at"], 90,
                     "the agent in the root to connect and report")
            yield {"root": root, "host_id": host["hostId"]}
        finally:
            agent.terminate()
            agent.wait(timeout=40)


def _demo_package(stack, host_id: str) -> dict:
    packages = api(stack, "GET", f"/hosts/{host_id}/packages?search=patchmon-demo").json()
    return next(p for p in packages.get("packages", packages.get("items", [])) if p["name"] == "patchmon-demo")


def test_a_real_upgrade_runs_in_the_root_from_dry_run_to_the_post_patch_report(stack, host_in_root):
    host_id, root = host_in_root["host_id"], host_in_root["root"]
    version_file = root / "usr/share/patchmon-demo/VERSION"
    assert version_file.read_text().strip() == "1.0"
    # Given a dry run of the outdated package
    created = api(stack, "POST", "/patching/trigger", json={"host_id": host_id, "patch_type": "patch_package",
                                                             "package_names": ["patchmon-demo"], "dry_run": True})
    assert created.status_code == 201, created.text
    dry_run_id = created.json()["patch_run_id"]
    # Then it is validated with the extra dependency the upgrade brings
    validated = wait_for_status(stack, dry_run_id, ("validated", "failed"))
    assert validated["status"] == "validated", validated["shell_output"]
    assert {p["name"] for p in validated["packages_affected"]} == {"patchmon-demo", "patchmon-demo-lib"}
    assert validated["extra_deps_count"] == 1
    assert version_file.read_text().strip() == "1.0"  # a dry run changes nothing
    # When it is approved to run now, with a browser following the execution run's live log
    approved = api(stack, "POST", f"/patching/runs/{dry_run_id}/approve", json={"schedule_override": "immediate"})
    assert approved.status_code == 201, approved.text
    run_id = approved.json()["patch_run_id"]
    assert approved.json()["status"] == "queued"
    live = LiveLog(stack, run_id)
    try:
        completed = wait_for_status(stack, run_id, ("completed", "failed"), timeout=240)
        assert live.done.wait(30)
    finally:
        live.close()
    # Then the package is upgraded inside the root, with its new dependency
    assert completed["status"] == "completed", completed["shell_output"]
    assert version_file.read_text().strip() == "1.1"
    assert (root / "usr/share/patchmon-demo-lib/VERSION").exists()
    assert "Setting up patchmon-demo (1.1-1)" in completed["shell_output"]
    # and the browser saw it live: output chunks before done, and the whole text
    assert [m["type"] for m in live.messages][-1] == "done" and live.messages[-1]["stage"] == "completed"
    assert "Setting up patchmon-demo (1.1-1)" in live.text()
    # and the agent's post-patch report arrives and shows the new version
    wait_for(lambda: run(stack, run_id)["post_patch"] == "report_received", 120, "the post-patch report")
    assert api(stack, "GET", f"/hosts/{host_id}").json()["awaiting_post_patch_report_run_id"] is None
    assert _demo_package(stack, host_id)["current_version"] == "1.1-1"
