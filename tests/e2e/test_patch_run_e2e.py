"""A dry-run patch run end to end on the local stack: trigger → SQS dispatch → our agent process over its WebSocket →
the simulation on this machine (nothing is installed) → output streamed live to a browser's WebSocket → validated."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from patchmon_agent import config as cfg
from tests.e2e.patching import LiveLog, api, run, wait_for_status
from tests.e2e.stack import ROOT, LocalStackProcess, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300),
              pytest.mark.skipif(shutil.which("apt-get") is None, reason="the dry run simulates with this machine's apt-get")]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    process = LocalStackProcess(tmp_path_factory.mktemp("patch-stack"), **{"ws-idle-timeout": 600})
    process.start()
    process.token = process.setup_admin()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def serving_agent(stack, tmp_path_factory):
    """Our agent's `serve` process for a host enrolled through the API, connected to the stack."""
    home = tmp_path_factory.mktemp("agent")
    created = api(stack, "POST", "/hosts/create", json={"friendly_name": "patch-e2e"})
    assert created.status_code == 201, created.text
    host = created.json()
    config = cfg.load_config(home / "etc/config.yml")
    config.config.patchmon_server = stack.url
    config.save()
    cfg.save_credentials(config.config.credentials_file, cfg.Credentials(host["apiId"], host["apiKey"]))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update({"PYTHONPATH": str(ROOT / "agent"), "NO_PROXY": "*", "PATCHMON_ALLOW_NON_ROOT": "true"})
    serve = subprocess.Popen([sys.executable, "-m", "patchmon_agent", "--config", str(config.path), "serve"], env=env,
                             cwd=config.path.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: api(stack, "GET", f"/hosts/{host['hostId']}").json()["connected"], 60, "the agent's WebSocket")
        yield {"host_id": host["hostId"], "log": config.config.log_file}
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_a_dry_run_goes_from_trigger_to_validated_through_our_agent_with_its_log_live_in_a_browser_socket(stack, serving_agent):
    # Given a dry run of a package this machine has
    created = api(stack, "POST", "/patching/trigger", json={"host_id": serving_agent["host_id"], "patch_type": "patch_package",
                                                             "package_names": ["bash"], "dry_run": True})
    assert created.status_code == 201, created.text
    run_id = created.json()["patch_run_id"]
    # When a browser follows it
    live = LiveLog(stack, run_id)
    try:
        # Then the agent simulates it and the run ends validated
        validated = wait_for_status(stack, run_id, ("validated", "failed"))
        assert validated["status"] == "validated", validated
        assert live.done.wait(30)
    finally:
        live.close()
    assert validated["started_at"] and validated["completed_at"]
    assert "$ apt-get -s --only-upgrade install bash" in validated["shell_output"]
    assert "--- Patch run Dry run completed at" in validated["shell_output"] or "Dry run completed" in validated["shell_output"]
    # and the browser saw the snapshot, the output and done, in order
    kinds = [m["type"] for m in live.messages]
    assert kinds[0] == "snapshot" and kinds[-1] == "done" and live.messages[-1]["stage"] == "validated"
    assert "$ apt-get -s --only-upgrade install bash" in live.text()
    # and nothing was installed: the run is a dry run, and approving it is what would create the real run
    assert run(stack, run_id)["approvable"] is True
