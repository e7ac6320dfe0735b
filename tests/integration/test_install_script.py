"""The real install and removal scripts, run with `sh` into a temporary root against the app.

A small HTTP bridge on 127.0.0.1 hands curl's requests to the Chalice app (on moto), so the script
talks to the real routes exactly as it would to the service.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.factories.fleet import Agent, enrol
from tests.factories.identity import make_tenant, sign_in

pytestmark = [pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed"), pytest.mark.timeout(120)]
HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "server", "date"}


class _Bridge(HTTPServer):
    chalice: object
    requests: list[str]
    tamper: Callable[[str, bytes], bytes]


class _Handler(BaseHTTPRequestHandler):
    server: _Bridge

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(f"{self.command} {self.path.split('?')[0]}")
        call = getattr(self.server.chalice.http, self.command.lower())
        response = call(self.path, headers=dict(self.headers.items()), **({"body": body} if self.command == "POST" else {}))
        data = self.server.tamper(self.path, response.body)
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Rig:
    url: str
    bridge: _Bridge
    agent: Agent
    shims: Path

    def script(self, query: str = "") -> str:
        response = self.agent.client.http.get(f"/api/v1/hosts/install{query}", headers=self.agent.headers(Host=self.url.split("//")[1]))
        assert response.status_code == 200, response.body
        return response.body.decode()

    def run(self, script: str, root: Path | None, *, shim_path: bool = False, **env: str) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        path = f"{self.shims}:{base['PATH']}" if shim_path else base["PATH"]
        full = {**base, "PATH": path, "NO_PROXY": "*", "PATCHMON_SKIP_SERVICE": "true", "PATCHMON_ALLOW_NON_ROOT": "true",
                **({"PATCHMON_ROOT": str(root)} if root else {}), **env}
        return subprocess.run(["sh"], input=script, capture_output=True, text=True, env=full, timeout=90, check=False)

    def exchange(self, token: str) -> int:
        response = self.agent.client.http.post("/api/v1/hosts/bootstrap/exchange", body=json.dumps({"token": token}).encode(),
                                               headers={"Host": self.url.split("//")[1], "Content-Type": "application/json"})
        return response.status_code


@pytest.fixture
def rig(client, aws, tmp_path) -> Iterator[Rig]:
    tenant = make_tenant("default")
    admin = sign_in(client, tenant, "root", role="superadmin")
    bridge = _Bridge(("127.0.0.1", 0), _Handler)
    bridge.chalice, bridge.requests, bridge.tamper = client, [], lambda path, body: body
    thread = threading.Thread(target=bridge.serve_forever, daemon=True)
    thread.start()
    shims = tmp_path / "shims"
    shims.mkdir()
    try:
        yield Rig(f"http://127.0.0.1:{bridge.server_address[1]}", bridge, enrol(admin, "script-host"), shims)
    finally:
        bridge.shutdown()
        bridge.server_close()


def _token(script: str) -> str:
    return re.search(r"^BOOTSTRAP_TOKEN='([0-9a-f]{64})'$", script, re.MULTILINE).group(1)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _shim(rig: Rig, name: str, body: str) -> None:
    path = rig.shims / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.mark.parametrize(("manager", "unit", "starts"), [
    ("systemd", "etc/systemd/system/patchmon-agent.service", "ExecStart=/usr/local/bin/patchmon-agent serve"),
    ("openrc", "etc/init.d/patchmon-agent", 'command="/usr/local/bin/patchmon-agent"\ncommand_args="serve"'),
    ("cron", "etc/cron.d/patchmon-agent", "@reboot root /usr/local/bin/patchmon-agent serve"),
])
def test_install_script_installs_agent_config_and_service_when_run_with_sh(rig, tmp_path, manager, unit, starts):
    # Given
    root = tmp_path / "root"
    script = rig.script("?arch=amd64")
    # When
    done = rig.run(script, root, PATCHMON_SERVICE_MANAGER=manager)
    # Then
    assert done.returncode == 0, done.stderr
    config = (root / "etc/patchmon/config.yml").read_text()
    assert f'patchmon_server: "{rig.url}"' in config
    for line in ('api_version: "v1"', 'credentials_file: "/etc/patchmon/credentials.yml"',
                 'log_file: "/etc/patchmon/logs/patchmon-agent.log"', 'log_level: "info"', "skip_ssl_verify: false", "update_interval: 60"):
        assert line in config
    credentials = root / "etc/patchmon/credentials.yml"
    assert credentials.read_text() == f"api_id: {rig.agent.api_id}\napi_key: {rig.agent.api_key}\n"
    assert _mode(credentials) == 0o600 and _mode(root / "etc/patchmon/config.yml") == 0o600
    binary = root / "usr/local/bin/patchmon-agent"
    assert _mode(binary) == 0o755
    assert subprocess.run([sys.executable, str(binary), "version"], capture_output=True, text=True, check=False).stdout.strip() == \
        "PatchMon Agent v0.1.0"
    assert starts in (root / unit).read_text()
    assert rig.agent.api_key not in done.stdout + done.stderr
    assert rig.exchange(_token(script)) == 401  # the token was used up
    assert rig.bridge.requests == ["POST /api/v1/hosts/bootstrap/exchange", "GET /api/v1/hosts/agent/version",
                                                "GET /api/v1/hosts/agent/download"]


def test_install_script_changes_nothing_and_keeps_its_token_when_credentials_exist_without_force(rig, tmp_path):
    root = tmp_path / "root"
    assert rig.run(rig.script(), root).returncode == 0
    before = (root / "etc/patchmon/credentials.yml").read_text()
    rig.bridge.requests.clear()
    # When a second, unforced install runs
    again = rig.script()
    done = rig.run(again, root)
    # Then
    assert done.returncode == 0 and "already installed" in done.stdout
    assert rig.bridge.requests == []
    assert (root / "etc/patchmon/credentials.yml").read_text() == before
    assert rig.exchange(_token(again)) == 200


def test_install_script_reinstalls_and_backs_up_the_config_when_forced(rig, tmp_path):
    root = tmp_path / "root"
    assert rig.run(rig.script(), root).returncode == 0
    done = rig.run(rig.script("?force=true"), root)
    assert done.returncode == 0, done.stderr
    assert list((root / "etc/patchmon").glob("config.yml.backup.*"))
    assert (root / "etc/patchmon/credentials.yml").read_text().startswith(f"api_id: {rig.agent.api_id}\n")


def test_install_script_aborts_and_installs_nothing_when_the_download_does_not_match_its_hash(rig, tmp_path):
    root = tmp_path / "root"
    rig.bridge.tamper = lambda path, body: body + b"\n# tampered" if "/agent/download" in path else body
    done = rig.run(rig.script(), root)
    assert done.returncode != 0
    assert "checksum mismatch" in done.stderr
    assert not (root / "usr/local/bin/patchmon-agent").exists()
    assert not (root / "etc/patchmon/credentials.yml").exists()


def test_install_script_installs_nothing_when_its_token_was_already_used(rig, tmp_path):
    script = rig.script()
    assert rig.exchange(_token(script)) == 200
    root = tmp_path / "root"
    done = rig.run(script, root)
    assert done.returncode != 0
    assert "copy the install command again" in done.stderr
    assert not (root / "etc/patchmon").exists() and not (root / "usr/local/bin/patchmon-agent").exists()


def test_install_script_refuses_to_run_without_root_unless_allowed_with_a_root_directory(rig, tmp_path):
    _shim(rig, "id", 'if [ "${1:-}" = "-u" ]; then echo 1000; else /usr/bin/id "$@"; fi')
    script = rig.script()
    refused = rig.run(script, None, shim_path=True)
    assert refused.returncode != 0 and "must run as root" in refused.stderr
    no_root_dir = rig.run(script, None, shim_path=True, PATCHMON_ALLOW_NON_ROOT="true")
    assert no_root_dir.returncode != 0
    assert rig.bridge.requests == []
    allowed = rig.run(script, tmp_path / "root", shim_path=True)
    assert allowed.returncode == 0, allowed.stderr


def test_install_script_refuses_an_old_python_before_using_its_token(rig, tmp_path):
    _shim(rig, "python3", 'echo "Python 3.8.18"; exit 1')
    script = rig.script()
    done = rig.run(script, tmp_path / "root", shim_path=True)
    assert done.returncode != 0 and "3.9 or newer" in done.stderr
    assert rig.exchange(_token(script)) == 200


def test_remove_script_removes_agent_service_and_configuration_when_run(rig, tmp_path, client):
    root = tmp_path / "root"
    assert rig.run(rig.script(), root, PATCHMON_SERVICE_MANAGER="systemd").returncode == 0
    remove = client.http.get("/api/v1/hosts/remove").body.decode()
    # When
    done = rig.run(remove, root)
    # Then
    assert done.returncode == 0, done.stderr
    assert not (root / "etc/patchmon").exists()
    assert not (root / "usr/local/bin/patchmon-agent").exists()
    assert not (root / "etc/systemd/system/patchmon-agent.service").exists()
