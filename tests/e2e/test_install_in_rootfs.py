"""The install one-liner in a clean Debian root filesystem: the agent is installed, started, reports the
root's real packages, answers a report request over the WebSocket, and reconnects after the stack restarts.

Needs root and a debootstrapped Debian (with python3, curl and ca-certificates) named by
PATCHMON_TEST_ROOTFS: `make rootfs-test` builds one in .local/rootfs and runs this. Skipped otherwise.
"""
from __future__ import annotations

import os
import pathlib
import subprocess

import httpx
import pytest

from tests.e2e import rootfs
from tests.e2e.stack import LocalStackProcess, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
ROOTFS = pathlib.Path(os.environ.get("PATCHMON_TEST_ROOTFS", "/nonexistent"))
AGENT_LOG = "etc/patchmon/logs/patchmon-agent.log"

if not (hasattr(os, "geteuid") and os.geteuid() == 0 and (ROOTFS / "usr/bin/python3").exists() and (ROOTFS / "usr/bin/curl").exists()):
    pytest.skip("needs root and PATCHMON_TEST_ROOTFS naming a Debian root with python3 and curl (make rootfs-test)",
                allow_module_level=True)


def _in_root(script: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["chroot", str(COPY["root"]), "/bin/sh", "-c", script], check=False, capture_output=True, text=True,
                          timeout=120, **kwargs)


def _agent_pids() -> list[int]:
    """Processes running the installed agent inside the test's copy of the root (never anything outside it)."""
    return [pid for pid in rootfs.processes_in(COPY["root"]) if "patchmon-agent" in _cmdline(pid)]


def _cmdline(pid: int) -> str:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return ""


COPY: dict[str, pathlib.Path] = {}


@pytest.fixture
def root(tmp_path):
    """A disposable copy of the base root: the install writes into the copy, never into the base other tests share."""
    with rootfs.rootfs_copy(ROOTFS, tmp_path / "copy") as copy:
        COPY["root"] = copy
        yield copy
    COPY.clear()


def test_install_one_liner_in_a_clean_debian_root(root, tmp_path):
    stack = LocalStackProcess(tmp_path / "stack", **{"ws-idle-timeout": 600})
    stack.start()
    try:
        admin = {"Authorization": f"Bearer {stack.setup_admin()}"}
        host = httpx.post(f"{stack.url}/api/v1/hosts/create", json={"friendly_name": "rootfs"}, headers=admin).json()
        # When: the one-liner an operator copies from the add-host wizard
        installed = _in_root(f"curl -fsS -H 'X-API-ID: {host['apiId']}' -H 'X-API-KEY: {host['apiKey']}' "
                             f"{stack.url}/api/v1/hosts/install | sh")
        assert installed.returncode == 0, installed.stderr
        assert host["apiKey"] not in installed.stdout + installed.stderr
        # Then: the agent runs and the host shows the root's own packages
        assert wait_for(_agent_pids, 60, "the agent process", interval=0.5)
        expected = int(_in_root("dpkg-query -W -f '${db:Status-Abbrev}\\n' | grep -c '^ii'").stdout)

        def detail():
            body = httpx.get(f"{stack.url}/api/v1/hosts/{host['hostId']}", headers=admin).json()
            return body if body.get("status") == "active" and body.get("connected") else None

        shown = wait_for(detail, 60, "the host", interval=0.5)
        assert shown["packages_count"] == expected and shown["os_type"] == "Debian GNU/Linux"
        assert oct((root / "etc/patchmon/credentials.yml").stat().st_mode & 0o777) == "0o600"
        # An operator's report request reaches it over the WebSocket
        reports = lambda: httpx.get(f"{stack.url}/api/v1/hosts/{host['hostId']}/reports", headers=admin).json()["reports"]  # noqa: E731
        before = len(reports())
        assert httpx.post(f"{stack.url}/api/v1/hosts/{host['hostId']}/fetch-report", headers=admin).status_code in (200, 202)
        wait_for(lambda: len(reports()) > before, 60, "a new report", interval=0.5)
        # The stack restarts: the agent comes back by itself
        stack.stop()
        stack.start()
        admin = {"Authorization": f"Bearer {stack.setup_admin()}"}
        wait_for(lambda: "websocket connected" in (root / AGENT_LOG).read_text().split("websocket closed")[-1], 60,
                 "the agent's WebSocket", interval=0.5)
        assert wait_for(detail, 60, "the host", interval=0.5)["connected"] is True
    finally:
        stack.stop()
