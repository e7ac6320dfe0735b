"""The disposable-root tooling (tests/e2e/rootfs.py): a copy of the base root offers a real upgrade of patchmon-demo
from its local apt repository, the upgrade changes the copy and never the base, and our agent's zipapp runs inside.

Needs root and a debootstrapped Debian (with python3) named by PATCHMON_TEST_ROOTFS: `make rootfs-test` builds one
in .local/rootfs and runs this. Skipped otherwise.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import time
from collections.abc import Iterator

import pytest

from chalicelib.install import artefact
from tests.e2e import rootfs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
BASE = pathlib.Path(os.environ.get("PATCHMON_TEST_ROOTFS", "/nonexistent"))

if not (hasattr(os, "geteuid") and os.geteuid() == 0 and (BASE / "usr/bin/python3").exists()):
    pytest.skip("needs root and PATCHMON_TEST_ROOTFS naming a Debian root with python3 (make rootfs-test)", allow_module_level=True)


def _fingerprint(root: pathlib.Path) -> dict[str, str | None]:
    """What an upgrade in a copy would change in the base if the copy leaked into it."""
    files = ("var/lib/dpkg/status", "etc/apt/sources.list", "usr/share/patchmon-demo/VERSION", "srv/repo/Packages")
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() if (root / name).exists() else None for name in files}


@pytest.fixture
def demo_root(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A disposable copy of the base root with patchmon-demo 1.0-1 installed and 1.1-1 offered by /srv/repo."""
    with rootfs.rootfs_copy(BASE, tmp_path / "copy") as root:
        rootfs.install_demo_repo(root)
        yield root


def test_dry_run_shows_the_upgrade_and_its_new_dependency(demo_root):
    """A simulated only-upgrade of patchmon-demo upgrades 1.0-1 to 1.1-1 and newly installs patchmon-demo-lib."""
    # When
    dry_run = rootfs.run_in_rootfs(demo_root, ["apt-get", "-s", "--only-upgrade", "install", "patchmon-demo"])
    # Then
    assert dry_run.returncode == 0, dry_run.stderr
    assert "Inst patchmon-demo [1.0-1] (1.1-1 " in dry_run.stdout
    assert "Inst patchmon-demo-lib (1.1-1 " in dry_run.stdout
    assert (demo_root / "usr/share/patchmon-demo/VERSION").read_text().strip() == "1.0"


def test_real_upgrade_changes_the_copy_and_not_the_base(demo_root):
    """apt-get installs patchmon-demo 1.1 and its dependency in the copy; the base root is byte-for-byte as before."""
    # Given
    base_before = _fingerprint(BASE)
    # When
    upgrade = rootfs.run_in_rootfs(demo_root, ["apt-get", "--only-upgrade", "install", "-y", "patchmon-demo"])
    # Then
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert (demo_root / "usr/share/patchmon-demo/VERSION").read_text().strip() == "1.1"
    assert (demo_root / "usr/share/patchmon-demo-lib/VERSION").read_text().strip() == "1.1"
    installed = rootfs.run_in_rootfs(demo_root, ["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", "patchmon-demo", "patchmon-demo-lib"])
    assert installed.stdout.split("\n")[:2] == ["patchmon-demo 1.1-1", "patchmon-demo-lib 1.1-1"]
    assert _fingerprint(BASE) == base_before
    assert base_before["usr/share/patchmon-demo/VERSION"] is None and base_before["srv/repo/Packages"] is None


def test_agent_zipapp_runs_inside_the_copy(tmp_path):
    """Our agent's zipapp, copied to /opt/patchmon-agent.pyz, runs on the root's own python3."""
    with rootfs.rootfs_copy(BASE, tmp_path / "copy") as root:
        # Given
        path = rootfs.install_agent(root)
        # When
        version = rootfs.run_in_rootfs(root, rootfs.agent_argv("--version"))
        # Then
        assert path == "/opt/patchmon-agent.pyz"
        assert version.returncode == 0, version.stderr
        assert version.stdout.strip() == f"patchmon-agent version {artefact.build().version}"


@pytest.mark.parametrize("method", ["auto", "copy"])  # auto: overlayfs where the kernel has it; copy: the cp -a fallback
def test_removed_copy_leaves_no_mount_process_or_file(tmp_path, method):
    """remove_copy stops what runs inside, unmounts /proc, /sys, /dev (and the overlay) and deletes the copy."""
    # Given: a copy with a process still running in it
    root = rootfs.disposable_copy(BASE, tmp_path / "copy", method=method)
    sleeper = rootfs.spawn_in_rootfs(root, ["sleep", "600"])
    deadline = time.monotonic() + 10
    while not rootfs.processes_in(root) and time.monotonic() < deadline:  # chroot(8) enters the root after it starts
        time.sleep(0.05)
    assert rootfs.mounts_under(root) and rootfs.processes_in(root)
    # When
    rootfs.remove_copy(root)
    # Then
    assert sleeper.wait(timeout=10) != 0
    assert rootfs.mounts_under(tmp_path) == []
    assert not root.exists() and not (tmp_path / "copy/upper").exists()
    assert (BASE / "usr/bin/python3").exists()
