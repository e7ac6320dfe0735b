"""The Patch Wizard and the live terminal in a real browser, with our agent running the patch.

As root with a disposable Debian root (PATCHMON_TEST_ROOTFS, built by `make test`/`make rootfs`), the whole
documented flow: Packages → "Patch this package" → dry run validated with its extra dependency → approve & patch
now → the run page's terminal fills live → Completed → "New report received" — and the upgrade happened inside
the copy. Elsewhere, the dry-run half on this machine (a simulation; nothing is installed).
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from patchmon_agent import config as cfg
from tests.e2e import rootfs
from tests.e2e.patching import api
from tests.e2e.stack import ROOT, wait_for
from tests.ui import screens
from tests.ui.harness import ADMIN, Steps, needs_app

pytestmark = [needs_app, pytest.mark.timeout(600)]
BASE = pathlib.Path(os.environ.get("PATCHMON_TEST_ROOTFS") or "/nonexistent")
HAS_ROOTFS = hasattr(os, "geteuid") and os.geteuid() == 0 and (BASE / "usr/bin/python3").exists()
LIVE_WAIT_MS = 120_000


@pytest.fixture
def base_url(own_stack) -> str:
    return own_stack.url


def _enrol(stack, name: str) -> dict:
    created = api(stack, "POST", "/hosts/create", json={"friendly_name": name})
    assert created.status_code == 201, created.text
    return created.json()


def _reported(stack, host_id: str) -> None:
    wait_for(lambda: (d := api(stack, "GET", f"/hosts/{host_id}").json())["connected"] and d["last_report_at"], 90,
             "the agent to connect and report")


def _wizard_dry_run(page: Page, steps: Steps, package: str) -> None:
    """From a package's page: open the wizard, keep the host that needs the update, run the dry run until validated."""
    with steps("package page"):
        page.goto(f"/packages/{package}")
        page.get_by_role("button", name="Patch this package").click()
    dialog = page.get_by_role("dialog")
    with steps("wizard: hosts"):
        expect(dialog.get_by_role("checkbox", name=re.compile(r"patching-ui"))).to_be_checked()
        dialog.get_by_test_id("wizard-next").click()
    with steps("wizard: dry run validated"):
        dialog.get_by_test_id("wizard-dry-run").click()
        expect(dialog.get_by_text("Validated").first).to_be_visible(timeout=LIVE_WAIT_MS)


def _collect_chunk(frame: str | bytes, chunks: list[str]) -> None:
    message = json.loads(frame) if isinstance(frame, str) else {}
    if message.get("type") == "chunk":
        chunks.append(message["chunk"])


@pytest.mark.skipif(not HAS_ROOTFS, reason="needs root and PATCHMON_TEST_ROOTFS (a Debian root; make rootfs)")
def test_the_wizard_patches_a_package_in_a_disposable_root_and_the_browser_watches_it_live(own_stack, page: Page, steps: Steps,
                                                                                           tmp_path):
    host = _enrol(own_stack, "patching-ui-root")
    with rootfs.rootfs_copy(BASE, tmp_path / "copy") as root:
        rootfs.install_demo_repo(root)
        agent = rootfs.start_agent(root, server_url=own_stack.url, api_id=host["apiId"], api_key=host["apiKey"])
        try:
            _reported(own_stack, host["hostId"])
            chunks: list[str] = []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: _collect_chunk(frame, chunks)))
            page.goto("/login")
            screens.sign_in(page, ADMIN.username, ADMIN.password)
            _wizard_dry_run(page, steps, "patchmon-demo")
            dialog = page.get_by_role("dialog")
            with steps("wizard: extra dependency shown"):
                expect(dialog.get_by_text("patchmon-demo-lib").first).to_be_visible()
                dialog.get_by_test_id("wizard-next").click()  # timing
            with steps("wizard: timing"):
                expect(dialog.get_by_test_id("timing-when").first).to_be_visible()
                dialog.get_by_test_id("wizard-next").click()  # approval
            with steps("wizard: approve and patch now"):
                dialog.get_by_label("Approve & patch now").check()
                dialog.get_by_test_id("wizard-next").click()  # submit
                dialog.get_by_test_id("wizard-submit").click()
            with steps("run page: live output to completed"):
                expect(page).to_have_url(re.compile(r"/patching/runs/[0-9a-f-]+$"), timeout=30_000)
                terminal = page.get_by_test_id("patch-terminal")
                expect(terminal).to_contain_text("Setting up patchmon-demo (1.1-1)", timeout=LIVE_WAIT_MS)
                expect(page.get_by_test_id("run-status")).to_have_text(re.compile("Completed", re.I), timeout=LIVE_WAIT_MS)
            # the output arrived in the browser chunk by chunk while the package configured itself, not only in the end
            assert any("configuring, step" in chunk for chunk in chunks), chunks
            with steps("run page: post-patch report"):
                expect(page.get_by_text("New report received")).to_be_visible(timeout=LIVE_WAIT_MS)
            assert (root / "usr/share/patchmon-demo/VERSION").read_text().strip() == "1.1"
        finally:
            agent.terminate()
            agent.wait(timeout=40)


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="the dry run simulates with this machine's apt-get")
def test_the_wizard_validates_a_package_on_this_machine_and_the_run_page_shows_its_log_to_done(own_stack, page: Page, steps: Steps,
                                                                                               tmp_path):
    """Our agent on this machine, reporting an inventory in which bash is outdated; the dry run simulates with apt-get."""
    host = _enrol(own_stack, "patching-ui-local")
    config = cfg.load_config(tmp_path / "etc/config.yml")
    config.config.patchmon_server = own_stack.url
    config.save()
    cfg.save_credentials(config.config.credentials_file, cfg.Credentials(host["apiId"], host["apiKey"]))
    inventory = tmp_path / "host.json"
    inventory.write_text(json.dumps({"packageManager": "apt", "packages": [
        {"name": "bash", "currentVersion": "5.0-1", "availableVersion": "5.2.15-2", "needsUpdate": True, "isSecurityUpdate": False}],
        "repositories": [], "system": {"osType": "Debian GNU/Linux", "osVersion": "12", "hostname": "patching-ui-local",
                                       "ip": "10.0.0.9", "architecture": "x86_64", "kernelVersion": "6.1.0", "machineId": "ui",
                                       "networkInterfaces": [], "needsReboot": False}}))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update({"PYTHONPATH": str(ROOT / "agent"), "NO_PROXY": "*", "PATCHMON_ALLOW_NON_ROOT": "true",
                "PATCHMON_AGENT_FAKE_COLLECTORS": str(inventory)})
    serve = subprocess.Popen([sys.executable, "-m", "patchmon_agent", "--config", str(config.path), "serve"], env=env,
                             cwd=config.path.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _reported(own_stack, host["hostId"])
        page.goto("/login")
        screens.sign_in(page, ADMIN.username, ADMIN.password)
        _wizard_dry_run(page, steps, "bash")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        with steps("runs and history: the dry run"):
            page.goto("/patching?tab=runs")
            row = page.get_by_role("row").filter(has_text="patching-ui-local").first
            row.get_by_role("link", name="View", exact=True).click()
        with steps("run page: the log to done"):
            expect(page.get_by_test_id("patch-terminal")).to_contain_text("$ apt-get -s --only-upgrade install bash")
            expect(page.get_by_test_id("run-status")).to_have_text(re.compile("Validated", re.I))
            expect(page.get_by_text("Validation complete. Approval required.")).to_be_visible()
    finally:
        serve.terminate()
        serve.wait(timeout=30)
