"""Self-update: the version check, SHA-256 verification, three backups, atomic replacement and the 5-minute cooldown."""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from chalicelib.install import artefact
from patchmon_agent import update
from patchmon_agent.update import COOLDOWN_SECONDS, UpdateError, Updater
from tests.agent.agent_fakes import FakeApi, reset_agent_logger  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Real zipapps of the agent at two versions, as the server would serve them."""
    made = {}
    for version in ("0.1.0", "0.2.0"):
        source = tmp_path_factory.mktemp(f"agent-{version}")
        shutil.copytree(artefact.SOURCE_DIR / artefact.PACKAGE, source / artefact.PACKAGE)  # follows the protocol link
        init = source / artefact.PACKAGE / "__init__.py"
        init.write_text(init.read_text().replace('__version__ = "0.1.0"', f'__version__ = "{version}"'))
        made[version] = artefact.build(source).data
    return made


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def installed(tmp_path, builds):
    """An installed agent (0.1.0) at <tmp>/usr/local/bin/patchmon-agent."""
    exe = tmp_path / "usr/local/bin/patchmon-agent"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(builds["0.1.0"])
    exe.chmod(0o755)
    return exe


def _server(build: bytes, *, has_update: bool = True, digest: str | None = None, latest: str = "0.2.0", **extra) -> FakeApi:
    version = {"currentVersion": "0.1.0", "latestVersion": latest, "hasUpdate": has_update, "autoUpdateDisabled": False,
               "autoUpdateDisabledReason": None, "hash": hashlib.sha256(build).hexdigest() if digest is None else digest, **extra}
    return FakeApi({("GET", "/hosts/agent/version"): version, ("GET", "/hosts/agent/download"): build})


def _updater(api, installed, tmp_path, clock=None) -> Updater:
    return Updater(api, executable=installed, state_dir=tmp_path / "etc/patchmon", current_version="0.1.0", arch="amd64",
                   clock=clock or Clock())


def _run_version(exe) -> str:
    return subprocess.run([sys.executable, str(exe), "version"], capture_output=True, text=True, timeout=60, check=True).stdout.strip()


def test_update_replaces_the_agent_with_the_verified_build_and_keeps_a_backup(tmp_path, installed, builds):
    # Given a server offering 0.2.0
    api = _server(builds["0.2.0"])
    # When
    result = _updater(api, installed, tmp_path).update()
    # Then the installed agent is 0.2.0, executable, and 0.1.0 is kept as a private backup
    assert result.updated and result.latest == "0.2.0"
    assert _run_version(installed) == "PatchMon Agent v0.2.0" and stat.S_IMODE(installed.stat().st_mode) == 0o755
    backups = list(installed.parent.glob("patchmon-agent.backup.*"))
    assert len(backups) == 1 and backups[0].read_bytes() == builds["0.1.0"] and stat.S_IMODE(backups[0].stat().st_mode) == 0o700
    assert not installed.with_name("patchmon-agent.new").exists()
    assert api.calls[0].query == {"type": "python", "arch": "amd64", "os": "linux", "currentVersion": "0.1.0"}
    assert api.calls[1].query == {"arch": "amd64", "os": "linux"}


@pytest.mark.parametrize("digest", ["0" * 64, "", "not-a-hash"])
def test_update_is_refused_and_nothing_changes_when_the_hash_is_wrong_or_missing(tmp_path, installed, builds, digest):
    api = _server(builds["0.2.0"], digest=digest)
    with pytest.raises(UpdateError, match="checksum mismatch|no SHA-256"):
        _updater(api, installed, tmp_path).update()
    assert installed.read_bytes() == builds["0.1.0"]
    assert sorted(p.name for p in installed.parent.iterdir()) == ["patchmon-agent"]
    assert not (tmp_path / "etc/patchmon/.last_update_timestamp").exists()


def test_update_is_refused_when_the_download_is_not_an_agent_build(tmp_path, installed):
    junk = b"#!/bin/sh\necho pwned\n"
    with pytest.raises(UpdateError, match="not a PatchMon agent build"):
        _updater(_server(junk), installed, tmp_path).update()
    assert sorted(p.name for p in installed.parent.iterdir()) == ["patchmon-agent"]


def test_only_the_three_newest_backups_are_kept_when_updated_repeatedly(tmp_path, installed, builds):
    # Given five updates, each after the cooldown
    clock = Clock()
    stamps = []
    for index in range(5):
        stamps.append(time.strftime("%Y%m%d_%H%M%S", time.localtime(clock.now)))
        build = builds["0.2.0" if index % 2 == 0 else "0.1.0"]
        result = _updater(_server(build, latest="0.2.0" if index % 2 == 0 else "0.1.0"), installed, tmp_path, clock).update(force=True)
        assert result.updated
        clock.now += COOLDOWN_SECONDS + 1
    # Then
    kept = sorted(p.name.rsplit(".", 1)[1] for p in installed.parent.glob("patchmon-agent.backup.*"))
    assert kept == stamps[-3:]


def test_second_update_within_five_minutes_is_skipped_without_asking_the_server(tmp_path, installed, builds):
    clock = Clock()
    assert _updater(_server(builds["0.2.0"]), installed, tmp_path, clock).update().updated
    clock.now += COOLDOWN_SECONDS - 10
    api = _server(builds["0.1.0"], latest="0.1.0")
    result = _updater(api, installed, tmp_path, clock).update(force=True)
    assert result.status == "cooldown" and api.calls == []
    assert _run_version(installed) == "PatchMon Agent v0.2.0"
    clock.now += 20
    assert _updater(api, installed, tmp_path, clock).update(force=True).updated


def test_no_update_when_the_server_offers_none_unless_forced_to_another_version(tmp_path, installed, builds):
    api = _server(builds["0.2.0"], has_update=False, autoUpdateDisabled=True, autoUpdateDisabledReason="off for this host")
    result = _updater(api, installed, tmp_path).update()
    assert (result.status, result.message) == ("disabled", "off for this host") and len(api.calls) == 1
    assert _updater(api, installed, tmp_path).update(force=True).updated


def test_forced_update_to_the_same_version_does_nothing(tmp_path, installed, builds):
    api = _server(builds["0.1.0"], has_update=False, latest="0.1.0")
    assert _updater(api, installed, tmp_path).update(force=True).status == "up_to_date"
    assert installed.read_bytes() == builds["0.1.0"]


def test_update_is_refused_over_unverified_tls_unless_an_administrator_asks(tmp_path, installed, builds):
    api = _server(builds["0.2.0"])
    api.verify_tls = False
    with pytest.raises(UpdateError, match="not verified"):
        _updater(api, installed, tmp_path).update(force=True)
    assert installed.read_bytes() == builds["0.1.0"]
    allowed = Updater(api, executable=installed, state_dir=tmp_path, current_version="0.1.0", arch="amd64", allow_unverified_tls=True)
    assert allowed.update().updated


def test_agent_run_from_a_source_tree_has_nothing_to_replace(tmp_path, builds):
    with pytest.raises(UpdateError, match="installed build"):
        _updater(_server(builds["0.2.0"]), None, tmp_path).update()


def test_a_new_build_that_does_not_run_is_never_installed(tmp_path, installed, builds, monkeypatch):
    def broken(*_args, **_kwargs):
        return subprocess.CompletedProcess([], 1, "", "SyntaxError")

    monkeypatch.setattr(update.subprocess, "run", broken)
    with pytest.raises(UpdateError, match="does not run"):
        _updater(_server(builds["0.2.0"]), installed, tmp_path).update()
    assert installed.read_bytes() == builds["0.1.0"] and not list(installed.parent.glob("*.backup.*"))


def test_installed_executable_is_the_zipapp_only_when_run_from_one(installed, tmp_path):
    assert update.installed_executable(str(installed)) == installed
    source = tmp_path / "__main__.py"
    source.write_text("pass\n")
    assert update.installed_executable(str(source)) is None


@pytest.mark.parametrize(("machine", "arch"), [("x86_64", "amd64"), ("aarch64", "arm64"), ("armv7l", "arm"), ("i686", "386"), ("riscv64", "riscv64")])
def test_architecture_is_named_as_the_version_endpoint_expects(machine, arch):
    assert update.go_arch(machine) == arch


def test_restart_reexecs_the_agent_when_not_under_systemd(monkeypatch, installed):
    calls = []
    monkeypatch.setattr(os, "execv", lambda path, args: calls.append((path, args)))
    update.restart_service([str(installed), "serve"], environ={})
    assert calls == [(sys.executable, [sys.executable, str(installed), "serve"])]


def test_restart_asks_systemd_without_blocking_when_run_as_a_unit(monkeypatch):
    calls = []
    monkeypatch.setattr(update.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(update.subprocess, "run", lambda argv, **_kw: calls.append(argv))
    update.restart_service(["x", "serve"], environ={"INVOCATION_ID": "abc"})
    assert calls == [["systemctl", "--no-block", "restart", "patchmon-agent"]]
