"""The real install script, piped to `sh` as a user would, against the running local stack."""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess

import httpx
import pytest

pytestmark = [pytest.mark.timeout(120), pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")]


def test_install_script_installs_the_agent_into_a_root_when_piped_to_sh(stack, tmp_path):
    # Given a host enrolled in the default tenant and its install script
    created = httpx.post(f"{stack.url}/api/v1/hosts/create", json={"friendly_name": "e2e-install"},
                         headers={"Authorization": f"Bearer {stack.token}"})
    assert created.status_code == 201, created.text
    host = created.json()
    creds = {"X-API-ID": host["apiId"], "X-API-KEY": host["apiKey"]}
    script = httpx.get(f"{stack.url}/api/v1/hosts/install?arch=amd64", headers=creds)
    assert script.status_code == 200 and host["apiKey"] not in script.text
    token = re.search(r"^BOOTSTRAP_TOKEN='([0-9a-f]{64})'$", script.text, re.MULTILINE).group(1)
    root = tmp_path / "root"
    env = {**{k: v for k, v in os.environ.items() if "proxy" not in k.lower()}, "NO_PROXY": "*", "PATCHMON_ROOT": str(root),
           "PATCHMON_SKIP_SERVICE": "true", "PATCHMON_ALLOW_NON_ROOT": "true", "PATCHMON_SERVICE_MANAGER": "systemd"}
    # When
    done = subprocess.run(["sh"], input=script.text, capture_output=True, text=True, env=env, timeout=90, check=False)
    # Then
    assert done.returncode == 0, done.stdout + done.stderr
    credentials = root / "etc/patchmon/credentials.yml"
    assert credentials.read_text() == f"api_id: {host['apiId']}\napi_key: {host['apiKey']}\n"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    config = root / "etc/patchmon/config.yml"
    assert f'patchmon_server: "{stack.url}"' in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    agent = root / "usr/local/bin/patchmon-agent"
    assert subprocess.run(["python3", str(agent), "version"], capture_output=True, text=True, check=False).stdout.strip().startswith(
        "PatchMon Agent v")
    # and the token is spent
    again = httpx.post(f"{stack.url}/api/v1/hosts/bootstrap/exchange", json={"token": token})
    assert again.status_code == 401
    assert again.json()["error"] == "Invalid or expired bootstrap token"
