"""Self-update: ask the server for its agent build, verify the SHA-256, keep 3 backups, replace atomically.

Rules (features-install-env-agent.md §2.9, reference-agent.md §13): one update at a time; none within
5 minutes of the last one (a marker file's mtime); a missing or different hash refuses the update and
changes nothing; the new build must run (`<python> <new> version`) before it replaces the old one.
Restarting is the caller's business (`restart_service`).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from patchmon_agent import __version__, files
from patchmon_agent.http import ApiClient
from patchmon_agent.logs import log

COOLDOWN_SECONDS = 5 * 60
BACKUPS_KEPT = 3
AGENT_TYPE = "python"
SERVICE_NAME = "patchmon-agent"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv6l": "arm", "armv7l": "arm", "armhf": "arm",
         "i386": "386", "i486": "386", "i586": "386", "i686": "386", "x86": "386"}


class UpdateError(Exception):
    """The update was refused or failed; the installed agent is unchanged."""


@dataclass(frozen=True)
class UpdateResult:
    """What an update attempt did: updated, up_to_date, disabled, cooldown or busy."""

    status: str
    current: str
    latest: str | None = None
    message: str = ""

    @property
    def updated(self) -> bool:
        return self.status == "updated"


def go_arch(machine: str | None = None) -> str:
    """The architecture name the version endpoint uses (amd64, arm64, arm, 386)."""
    machine = (machine or platform.machine()).lower()
    return _ARCH.get(machine, re.sub(r"[^a-z0-9_.-]", "", machine) or "unknown")


def version_tuple(version: str | None) -> tuple[int, ...] | None:
    """(1, 10, 0) for "1.10.0" or "v1.10.0"; None when it is not dotted numbers."""
    text = (version or "").strip().lstrip("vV")
    return tuple(int(p) for p in text.split(".")) if re.fullmatch(r"\d+(\.\d+)*", text) else None


def installed_executable(argv0: str | None = None) -> pathlib.Path | None:
    """The zipapp this process runs from, or None (run from a source tree: nothing to replace)."""
    candidate = pathlib.Path(argv0 if argv0 is not None else sys.argv[0]).resolve()
    return candidate if candidate.is_file() and zipfile.is_zipfile(candidate) else None


def zipapp_version(data: bytes) -> str:
    """The agent version inside a zipapp (refuses anything that is not our agent)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            init = archive.read("patchmon_agent/__init__.py").decode("utf-8")
            archive.getinfo("__main__.py")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError) as exc:
        raise UpdateError(f"the download is not a PatchMon agent build ({exc})") from None
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", init, re.MULTILINE)
    if not match:
        raise UpdateError("the download declares no agent version")
    return match.group(1)


class Updater:
    """Checks for and applies agent updates for one installed executable."""

    _lock = threading.Lock()  # one update per process, whichever thread asks

    def __init__(self, client: ApiClient, *, executable: pathlib.Path | None, state_dir: pathlib.Path,
                 current_version: str = __version__, arch: str | None = None, python: str = sys.executable,
                 clock: Callable[[], float] = time.time, allow_unverified_tls: bool = False) -> None:
        self.client = client
        # The hash comes from the same server as the build: over a connection whose certificate is not checked
        # (skip_ssl_verify) it proves nothing, so only a local administrator's `update-agent` may update then.
        self.allow_unverified_tls = allow_unverified_tls
        self.executable = executable
        self.marker = pathlib.Path(state_dir) / ".last_update_timestamp"
        self.current = current_version
        self.arch = arch or go_arch()
        self.python = python
        self.clock = clock

    def check(self) -> dict[str, Any]:
        """GET /api/v1/hosts/agent/version for this agent."""
        query = {"type": AGENT_TYPE, "arch": self.arch, "os": "linux", "currentVersion": self.current}
        answer = self.client.get("/hosts/agent/version", query, fixed_v1=True)
        if not isinstance(answer, dict) or not answer.get("latestVersion"):
            raise UpdateError("the server's version answer names no version")
        return answer

    def cooldown_left(self) -> float:
        """Seconds before another update is allowed (0 when allowed)."""
        try:
            age = self.clock() - self.marker.stat().st_mtime
        except OSError:
            return 0.0
        return max(COOLDOWN_SECONDS - age, 0.0) if age >= 0 else 0.0

    def update(self, *, force: bool = False) -> UpdateResult:
        """Update when the server has a build for us (`force`: even if auto-update is disabled or not newer)."""
        if not self._lock.acquire(blocking=False):
            return UpdateResult("busy", self.current, message="an update is already running")
        try:
            return self._update(force)
        finally:
            self._lock.release()

    def _update(self, force: bool) -> UpdateResult:
        left = self.cooldown_left()
        if left > 0:
            ago = COOLDOWN_SECONDS - left
            return UpdateResult("cooldown", self.current, message=f"an update was performed {int(ago)} s ago; next one allowed in {int(left)} s")
        info = self.check()
        latest = str(info["latestVersion"])
        if not info.get("hasUpdate"):
            if not force or latest == self.current:
                status = "disabled" if info.get("autoUpdateDisabled") and latest != self.current else "up_to_date"
                return UpdateResult(status, self.current, latest, str(info.get("autoUpdateDisabledReason") or ""))
        if self.executable is None:
            raise UpdateError("this agent does not run from an installed build; nothing to replace")
        if getattr(self.client, "verify_tls", True) is False and not self.allow_unverified_tls:
            raise UpdateError("refusing to update over a connection whose TLS certificate is not verified (skip_ssl_verify); "
                              "run `patchmon-agent update-agent` to update anyway")
        expected = str(info.get("hash") or "").strip().lower()
        if not _SHA256.fullmatch(expected):
            raise UpdateError("the server advertised no SHA-256 for the agent build; refusing to install it unverified")
        data = self.client.download("/hosts/agent/download", {"arch": self.arch, "os": "linux"})
        actual = hashlib.sha256(data).hexdigest()
        if not hmac.compare_digest(actual, expected):
            raise UpdateError(f"checksum mismatch for the downloaded agent (expected {expected}, got {actual}); nothing was changed")
        version = zipapp_version(data)
        if version != latest:
            log.warning("downloaded agent version differs from the advertised one", extra={"advertised": latest, "downloaded": version})
        self._install(data, version)
        log.info("agent updated", extra={"from_version": self.current, "to_version": version})
        return UpdateResult("updated", self.current, version)

    def _install(self, data: bytes, version: str) -> None:
        exe = self.executable
        assert exe is not None
        staged = exe.with_name(exe.name + ".new")
        files.atomic_write(staged, data, mode=0o755)
        try:
            self._validate(staged, version)
            self._backup(exe)
            os.replace(staged, exe)
        except BaseException:
            with contextlib.suppress(OSError):
                staged.unlink()
            raise
        files.fsync_dir(exe.parent)
        self._touch_marker()

    def _validate(self, staged: pathlib.Path, version: str) -> None:
        try:
            done = subprocess.run([self.python, str(staged), "version"], capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise UpdateError(f"the new agent does not run: {exc}") from None
        if done.returncode != 0 or version not in done.stdout:
            raise UpdateError(f"the new agent does not run (exit {done.returncode}): {(done.stderr or done.stdout).strip()[:200]}")

    def _backup(self, exe: pathlib.Path) -> None:
        stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(self.clock()))
        target = exe.with_name(f"{exe.name}.backup.{stamp}")
        serial = 1
        while target.exists():
            serial += 1
            target = exe.with_name(f"{exe.name}.backup.{stamp}_{serial}")
        shutil.copy2(exe, target)
        os.chmod(target, 0o700)
        # names carry the time (YYYYMMDD_HHMMSS), so name order is age order
        backups = sorted(exe.parent.glob(f"{exe.name}.backup.*"), key=lambda p: p.name, reverse=True)
        for old in backups[BACKUPS_KEPT:]:
            with contextlib.suppress(OSError):
                old.unlink()

    def _touch_marker(self) -> None:
        files.ensure_dir(self.marker.parent)
        files.atomic_write(self.marker, f"{int(self.clock())}\n".encode(), mode=0o644)
        now = self.clock()
        os.utime(self.marker, (now, now))


def under_systemd(environ: dict[str, str] | None = None) -> bool:
    """True when this process is a systemd service (systemd sets INVOCATION_ID for every unit it starts)."""
    env = os.environ if environ is None else environ
    return bool(env.get("INVOCATION_ID")) and shutil.which("systemctl") is not None


def restart_service(argv: list[str] | None = None, *, environ: dict[str, str] | None = None) -> None:
    """Restart the running service: a non-blocking `systemctl restart` under systemd, else re-exec this process."""
    if under_systemd(environ):
        log.info("restarting the service through systemd")
        # --no-block: systemd stops this process (SIGTERM, handled as a clean shutdown) and starts the new build
        subprocess.run(["systemctl", "--no-block", "restart", SERVICE_NAME], check=False, timeout=30)
        return
    args = list(sys.argv if argv is None else argv)
    if args and installed_executable(args[0]) is None:
        args = ["-m", "patchmon_agent", *args[1:]]  # run from a source tree
    log.info("restarting by re-executing the agent")
    for handler in log.handlers:
        handler.flush()
    os.execv(sys.executable, [sys.executable, *args])  # noqa: S606 (the same interpreter, the agent's own arguments)


def restart_service_if_running() -> str | None:
    """Restart the installed service after an update from the command line; return its manager's name."""
    if os.path.isdir("/run/systemd/system") and shutil.which("systemctl"):
        active = subprocess.run(["systemctl", "is-active", "--quiet", SERVICE_NAME], check=False, timeout=30).returncode == 0
        if active:
            subprocess.run(["systemctl", "--no-block", "restart", SERVICE_NAME], check=False, timeout=30)
            return "systemd"
        return None
    if shutil.which("rc-service") and os.path.exists("/etc/init.d/patchmon-agent"):
        subprocess.run(["rc-service", SERVICE_NAME, "restart"], check=False, timeout=60)
        return "OpenRC"
    return None
