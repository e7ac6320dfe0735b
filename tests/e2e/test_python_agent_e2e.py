"""Our Python agent as a real process against the local stack: `report`, then `serve` with its WebSocket, memory and a clean stop."""
from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import httpx
import pytest

from patchmon_agent import config as cfg
from tests.e2e.stack import ROOT, LocalStackProcess, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
RSS_LIMIT_KB = 50 * 1024
FAKE_HOST = {"packageManager": "apt", "packages": [
    {"name": f"pkg-{i:03d}", "currentVersion": "1.0", "availableVersion": "1.1" if i < 4 else "", "needsUpdate": i < 4,
     "isSecurityUpdate": i < 2, "description": f"package {i}"} for i in range(120)],
    "repositories": [{"name": "debian", "url": "http://deb.debian.org/debian", "distribution": "bookworm", "components": "main",
                      "repoType": "deb", "isEnabled": True, "isSecure": False}],
    "system": {"osType": "Debian GNU/Linux", "osVersion": "12 (bookworm)", "hostname": "e2e-python-agent", "ip": "10.0.0.7",
               "architecture": "x86_64", "kernelVersion": "6.1.0", "machineId": "e2e", "networkInterfaces": [], "needsReboot": False}}


def _real_collectors_ready() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in
               ("patchmon_agent.collectors.packages", "patchmon_agent.collectors.repositories", "patchmon_agent.system"))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A stack of our own, whose gateway keeps an idle WebSocket open longer than the agent's 4-minute heartbeat."""
    process = LocalStackProcess(tmp_path_factory.mktemp("agent-stack"), **{"ws-idle-timeout": 600})
    process.start()
    process.token = process.setup_admin()
    yield process
    process.stop()


@pytest.fixture
def agent(stack, tmp_path):
    """A host enrolled through the API, and an agent configured for it in tmp_path."""
    admin = {"Authorization": f"Bearer {stack.token}"}
    created = httpx.post(f"{stack.url}/api/v1/hosts/create", json={"friendly_name": "e2e-python-agent"}, headers=admin)
    assert created.status_code == 201, created.text
    host = created.json()
    config = cfg.load_config(tmp_path / "etc/config.yml")
    config.config.patchmon_server = stack.url
    config.save()
    cfg.save_credentials(config.config.credentials_file, cfg.Credentials(host["apiId"], host["apiKey"]))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update({"PYTHONPATH": str(ROOT / "agent"), "NO_PROXY": "*", "PATCHMON_ALLOW_NON_ROOT": "true"})
    if not _real_collectors_ready():
        fixture = tmp_path / "host.json"
        fixture.write_text(json.dumps(FAKE_HOST))
        env["PATCHMON_AGENT_FAKE_COLLECTORS"] = str(fixture)
    return {"host": host, "admin": admin, "config": config.path, "log": pathlib.Path(config.config.log_file), "env": env,
            "key": host["apiKey"]}


def _agent(agent, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "patchmon_agent", "--config", str(agent["config"]), *args], capture_output=True, text=True,
                          env=agent["env"], cwd=agent["config"].parent, timeout=240, check=False, **options)


def _detail(stack, agent) -> dict:
    return httpx.get(f"{stack.url}/api/v1/hosts/{agent['host']['hostId']}", headers=agent["admin"]).json()


def _rss_kb(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_agent_process_reports_then_serves_over_its_websocket_within_50_mb(stack, agent):
    # Given the report the agent would send
    printed = _agent(agent, "report", "--json")
    assert printed.returncode == 0, printed.stderr
    expected = len(json.loads(printed.stdout)["packages"])
    assert expected > 0
    # When it sends it
    sent = _agent(agent, "report")
    # Then the host is active with that many packages
    assert sent.returncode == 0, sent.stderr + agent["log"].read_text()
    detail = _detail(stack, agent)
    assert (detail["status"], detail["packages_count"]) == ("active", expected)
    # When the service runs
    serve = subprocess.Popen([sys.executable, "-m", "patchmon_agent", "--config", str(agent["config"]), "serve"], env=agent["env"],
                             cwd=agent["config"].parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Then it connects its WebSocket and sends its startup report
        wait_for(lambda: _detail(stack, agent)["connected"], 60, "the agent's WebSocket")
        first = wait_for(lambda: "full report sent" in agent["log"].read_text() and _detail(stack, agent)["last_report_at"], 60, "startup report")
        # and an operator's "fetch report" reaches it over the WebSocket and brings a new full report
        asked = httpx.post(f"{stack.url}/api/v1/hosts/{agent['host']['hostId']}/fetch-report", headers=agent["admin"])
        assert asked.status_code == 202
        wait_for(lambda: "requested by the server" in agent["log"].read_text(), 60, "the requested report")
        assert _detail(stack, agent)["last_report_at"] != first
        # and at steady state it holds at most 50 MB
        time.sleep(3)
        rss = max(_rss_kb(serve.pid) for _ in range(5) if time.sleep(0.2) is None)
        print(f"serve RSS at steady state: {rss / 1024:.1f} MiB")  # noqa: T201 (the figure the brief asks for)
        assert rss <= RSS_LIMIT_KB, f"serve uses {rss} kB"
        # When it is asked to stop
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=20)
    finally:
        if serve.poll() is None:
            serve.kill()
        _, stderr = serve.communicate(timeout=10)
    # Then it stops cleanly, and its log never holds the API key
    log = agent["log"].read_text()
    assert code == 0, stderr.decode(errors="replace") + log
    assert "agent stopped" in log and agent["key"] not in log
    assert stat_mode(agent["log"]) == 0o600


def stat_mode(path: pathlib.Path) -> int:
    return path.stat().st_mode & 0o777
