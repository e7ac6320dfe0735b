"""`patchmon-agent uninstall`: remove what the install script installed (chalicelib/install/scripts/install.sh).

The service (systemd unit, OpenRC script or cron entry), the agent (`/usr/local/bin/patchmon-agent`
and its `.new`; backups with --remove-backups) and `/etc/patchmon` (configuration, credentials, logs).
PATCHMON_ROOT and PATCHMON_SKIP_SERVICE are honoured as by the install and removal scripts, so tests
work in a temporary root. Configuration files that config.yml places elsewhere are removed one by one;
no directory outside /etc/patchmon is ever removed.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable

from patchmon_agent.config import Config

AGENT_BIN = "/usr/local/bin/patchmon-agent"
CONFIG_DIR = "/etc/patchmon"
SYSTEMD_UNIT = "/etc/systemd/system/patchmon-agent.service"
OPENRC_SCRIPT = "/etc/init.d/patchmon-agent"
CRON_FILE = "/etc/cron.d/patchmon-agent"
SERVICE = "patchmon-agent"


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def _root() -> str:
    root = os.environ.get("PATCHMON_ROOT", "").rstrip("/")
    if root and not root.startswith("/"):
        raise ValueError("PATCHMON_ROOT must be an absolute path")
    return root


def _run(*argv: str) -> None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


def _stop_other_agents(binary: str) -> int:
    """SIGTERM every other process running `<binary> serve` (the cron-started service); return how many."""
    stopped = 0
    for entry in pathlib.Path("/proc").glob("[0-9]*"):
        if int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv if a]
        if binary in words and "serve" in words:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGTERM)
                stopped += 1
    return stopped


def remove_service(root: str, *, manage: bool, out: Callable[[str], None]) -> None:
    """Stop, disable and remove whichever service definition exists."""
    unit = pathlib.Path(root + SYSTEMD_UNIT)
    if unit.exists():
        if manage and shutil.which("systemctl"):
            _run("systemctl", "stop", SERVICE)
            _run("systemctl", "disable", SERVICE)
        unit.unlink()
        if manage and shutil.which("systemctl"):
            _run("systemctl", "daemon-reload")
        out("Removed the systemd service")
    script = pathlib.Path(root + OPENRC_SCRIPT)
    if script.exists():
        if manage and shutil.which("rc-service"):
            _run("rc-service", SERVICE, "stop")
            _run("rc-update", "del", SERVICE, "default")
        script.unlink()
        out("Removed the OpenRC service")
    cron = pathlib.Path(root + CRON_FILE)
    if cron.exists():
        cron.unlink()
        out("Removed the cron entry")
    if manage and not root:
        _stop_other_agents(AGENT_BIN)


def remove_files(root: str, config: Config, *, remove_backups: bool, out: Callable[[str], None]) -> None:
    binary = pathlib.Path(root + AGENT_BIN)
    for path in (binary, binary.with_name(binary.name + ".new")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if remove_backups:
        for backup in binary.parent.glob(binary.name + ".backup.*"):
            with contextlib.suppress(OSError):
                backup.unlink()
    config_dir = pathlib.Path(root + CONFIG_DIR)
    for named in (config.credentials_file, config.log_file):
        path = pathlib.Path(root + named)
        if config_dir not in path.parents:
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                path.unlink()
    shutil.rmtree(config_dir, ignore_errors=True)
    out(f"Removed {AGENT_BIN} and {CONFIG_DIR} (configuration, credentials, logs)")


def _confirmed(yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        sys.stderr.write("Error: refusing to uninstall without confirmation: run with --yes\n")
        return False
    sys.stdout.write(f"This removes the PatchMon agent, its service and {CONFIG_DIR} (configuration, credentials, logs). Continue? [y/N] ")
    sys.stdout.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def run(config: Config, *, yes: bool, remove_backups: bool, out: Callable[[str], None]) -> int:
    """Remove the agent after confirmation; return the exit status."""
    root = _root()
    if not _confirmed(yes):
        return 1
    remove_service(root, manage=not _true(os.environ.get("PATCHMON_SKIP_SERVICE")), out=out)
    remove_files(root, config, remove_backups=remove_backups, out=out)
    out("The host is still listed in PatchMon: delete it there if it is gone for good.")
    return 0
