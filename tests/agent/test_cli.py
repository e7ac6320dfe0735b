"""The `patchmon-agent` command line, in process against a local HTTP server, and the built zipapp as a subprocess."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from chalicelib.install import artefact
from patchmon_agent import __version__
from patchmon_agent import config as cfg
from patchmon_agent.cli import main
from patchmon_agent.report import FAKE_COLLECTORS_ENV
from tests.agent.agent_fakes import FakeHost, FakeServer, reset_agent_logger  # noqa: F401 (autouse fixture)

KEY = "cli-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("PATCHMON_ALLOW_NON_ROOT", "true")
    for name in ("PATCHMON_SKIP_SSL_VERIFY", "PATCHMON_ENV", "PATCHMON_ROOT", FAKE_COLLECTORS_ENV, "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def files(tmp_path):
    """Paths of a configured agent under tmp_path (config not written yet)."""
    return {"config": tmp_path / "etc/config.yml", "credentials": tmp_path / "etc/credentials.yml", "log": tmp_path / "etc/logs/agent.log",
            "fixture": tmp_path / "host.json"}


def _configure(files, server_url: str) -> None:
    loaded = cfg.load_config(files["config"])
    c = loaded.config
    c.patchmon_server, c.credentials_file, c.log_file = server_url, str(files["credentials"]), str(files["log"])
    loaded.save()
    cfg.save_credentials(files["credentials"], cfg.Credentials("patchmon_cli", KEY))


def _fake_host(files, monkeypatch) -> FakeHost:
    host = FakeHost(packages=5)
    files["fixture"].write_text(json.dumps({"packageManager": "apt", "packages": host.packages, "repositories": host.repositories,
                                            "system": host.system}))
    monkeypatch.setenv(FAKE_COLLECTORS_ENV, str(files["fixture"]))
    return host


def _run(files, *args: str) -> int:
    return main(["--config", str(files["config"]), *args])


def test_version_help_and_unknown_commands_answer_as_the_reference(capsys):
    assert main(["version"]) == 0 and capsys.readouterr().out == f"PatchMon Agent v{__version__}\n"
    assert main(["--version"]) == 0 and capsys.readouterr().out == f"patchmon-agent version {__version__}\n"
    assert main(["--help"]) == 0 and capsys.readouterr().out.startswith("Usage: patchmon-agent")
    assert main(["frobnicate"]) == 1 and "invalid choice" in capsys.readouterr().err
    assert main(["config"]) == 1 and main(["config", "set-api", "only-one"]) == 1


def test_config_show_prints_the_settings_but_never_the_key(files, capsys):
    _configure(files, "https://pm.example")
    assert _run(files, "config", "show") == 0
    out = capsys.readouterr().out
    assert "https://pm.example" in out and "patchmon_cli" in out and "Set ✅" in out and KEY not in out


def test_set_api_writes_both_files_0600_then_pings(files, capsys):
    # Given a reachable server that accepts the credentials
    with FakeServer({("POST", "/api/v1/hosts/ping"): (200, {"message": "Ping successful", "hashGate": True})}) as server:
        loaded = cfg.load_config(files["config"])
        loaded.config.credentials_file, loaded.config.log_file = str(files["credentials"]), str(files["log"])
        loaded.save()
        # When
        code = _run(files, "config", "set-api", "patchmon_new", KEY, server.url + "/")
    # Then
    assert code == 0 and "✅ Connectivity test successful" in capsys.readouterr().out
    assert cfg.load_config(files["config"]).config.patchmon_server == server.url
    assert cfg.load_credentials(files["config"].parent / "credentials.yml").api_id == "patchmon_new"  # beside the config
    assert cfg.load_credentials(files["credentials"]) == cfg.Credentials("patchmon_new", KEY)
    assert all(stat.S_IMODE(files[name].stat().st_mode) == 0o600 for name in ("config", "credentials", "log"))
    assert server.requests[0]["headers"]["x-api-id"] == "patchmon_new" and KEY not in files["log"].read_text()


def test_set_api_replaces_an_unparseable_config_with_a_warning(files, capsys):
    files["config"].parent.mkdir(parents=True)
    files["config"].write_text("patchmon_server: [broken\n")
    with FakeServer({("POST", "/api/v1/hosts/ping"): (200, {})}) as server:
        assert _run(files, "config", "set-api", "patchmon_new", KEY, server.url) == 0
    assert "could not be parsed" in capsys.readouterr().err
    assert cfg.load_config(files["config"]).config.patchmon_server == server.url


def test_set_api_refuses_a_url_without_http_or_https(files, capsys):
    assert _run(files, "config", "set-api", "id", "key", "pm.example") == 1
    assert "http:// or https://" in capsys.readouterr().err and not files["config"].exists()


def test_ping_reports_the_servers_refusal_and_fails(files, capsys):
    with FakeServer({("POST", "/api/v1/hosts/ping"): (401, {"error": "Invalid API credentials"})}) as server:
        _configure(files, server.url)
        assert _run(files, "ping") == 1
    assert "Error: connectivity test failed: server returned 401: Invalid API credentials" in capsys.readouterr().err


def test_report_json_prints_the_report_with_hashes_and_sends_nothing(files, capsys, monkeypatch):
    host = _fake_host(files, monkeypatch)
    _configure(files, "http://127.0.0.1:9")
    assert _run(files, "report", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["packages"]) == 5 and set(printed["hashes"]) == {"packagesHash", "reposHash", "interfacesHash", "hostnameHash"}
    assert printed["hostname"] == host.system["hostname"]


def test_report_sends_one_full_report_and_checks_for_an_update(files, capsys, monkeypatch):
    _fake_host(files, monkeypatch)
    with FakeServer({("POST", "/api/v1/hosts/update"): (200, {"message": "Host updated successfully", "packagesProcessed": 5,
                                                              "updatesAvailable": 0, "securityUpdates": 0}),
                     ("GET", "/api/v1/hosts/agent/version"): (200, {"latestVersion": __version__, "hasUpdate": False})}) as server:
        _configure(files, server.url)
        assert _run(files, "report") == 0
    assert "Report sent: 5 packages" in capsys.readouterr().out
    assert server.paths() == ["POST /api/v1/hosts/update", "GET /api/v1/hosts/agent/version"]
    assert "sections" not in json.loads(server.requests[0]["body"])


def test_report_fails_without_credentials(files, capsys, monkeypatch):
    _fake_host(files, monkeypatch)
    _configure(files, "http://127.0.0.1:9")
    files["credentials"].unlink()
    assert _run(files, "report") == 1 and "credentials file" in capsys.readouterr().err


def test_check_version_says_when_auto_update_is_disabled(files, capsys):
    with FakeServer({("GET", "/api/v1/hosts/agent/version"): (200, {"latestVersion": "9.0.0", "hasUpdate": False, "autoUpdateDisabled": True,
                                                                   "autoUpdateDisabledReason": "disabled for this host"})}) as server:
        _configure(files, server.url)
        assert _run(files, "check-version") == 0
    out = capsys.readouterr().out
    assert "Status: Auto-update disabled by server administrator" in out and "9.0.0" in out
    assert "type=python" in server.requests[0]["query"] and "os=linux" in server.requests[0]["query"]


def test_serve_refuses_to_start_on_an_unparseable_config_and_leaves_it_alone(files, capsys):
    files["config"].parent.mkdir(parents=True)
    files["config"].write_text("update_interval: 5\n\tbad: tab\n")
    assert _run(files, "serve") == 1
    assert "refusing to start on defaults" in capsys.readouterr().err
    assert files["config"].read_text() == "update_interval: 5\n\tbad: tab\n"


def test_uninstall_removes_what_the_installer_installed_from_a_root(tmp_path, monkeypatch, capsys):
    # Given an installation under a root, as install.sh lays it out
    root = tmp_path / "root"
    for relative in ("usr/local/bin/patchmon-agent", "usr/local/bin/patchmon-agent.backup.20260101_000000", "etc/patchmon/config.yml",
                     "etc/patchmon/credentials.yml", "etc/patchmon/logs/patchmon-agent.log", "etc/systemd/system/patchmon-agent.service"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x")
    (root / "usr/local/bin/other-tool").write_text("keep")
    monkeypatch.setenv("PATCHMON_ROOT", str(root))
    monkeypatch.setenv("PATCHMON_SKIP_SERVICE", "true")
    # When
    assert main(["--config", str(root / "etc/patchmon/config.yml"), "uninstall", "--yes"]) == 0
    # Then
    left = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert left == ["usr/local/bin/other-tool", "usr/local/bin/patchmon-agent.backup.20260101_000000"]
    assert "Removed the systemd service" in capsys.readouterr().out


def test_uninstall_asks_first_and_refuses_without_an_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("PATCHMON_ROOT", str(tmp_path))
    (tmp_path / "etc/patchmon").mkdir(parents=True)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 (not a terminal)
    assert main(["--config", str(tmp_path / "none.yml"), "uninstall"]) == 1
    assert (tmp_path / "etc/patchmon").exists()


def test_built_zipapp_carries_the_protocol_package_and_reports_from_it(tmp_path, monkeypatch, files):
    """The zipapp the server serves holds patchmon_agent/protocol (a link in the source tree) and runs `report --json`."""
    # Given the server's build, installed, run outside the repository
    build = artefact.build()
    assert build.sha256 == artefact.build().sha256  # deterministic
    names = __import__("zipfile").ZipFile(__import__("io").BytesIO(build.data)).namelist()
    assert {"patchmon_agent/protocol/__init__.py", "patchmon_agent/protocol/canonical.py", "patchmon_agent/protocol/constants.py"} <= set(names)
    exe = tmp_path / "patchmon-agent"
    exe.write_bytes(build.data)
    _fake_host(files, monkeypatch)
    _configure(files, "http://127.0.0.1:9")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # When
    done = subprocess.run([sys.executable, "-I", str(exe), "--config", str(files["config"]), "report", "--json"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60, check=False)
    # Then
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert hashlib.sha256(build.data).hexdigest() == build.sha256 and len(report["packages"]) == 5


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_diagnostics_prints_every_section_and_the_log_tail(files, capsys):
    with FakeServer({("POST", "/api/v1/hosts/ping"): (200, {"message": "Ping successful"})}) as server:
        _configure(files, server.url)
        files["log"].parent.mkdir(parents=True, exist_ok=True)
        files["log"].write_text("2026-01-01T00:00:00 level=info msg=hello\n")
        assert _run(files, "diagnostics") == 0
    out = capsys.readouterr().out
    for title in ("System", "Agent", "Configuration", "Network", "Recent log entries"):
        assert f"{title}\n" in out
    assert "✅ valid" in out and "reachable" in out and "msg=hello" in out and KEY not in out
