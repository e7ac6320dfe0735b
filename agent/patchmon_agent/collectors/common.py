"""What every package collector shares: the command runner, the result type and the package record."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

LOCAL_TIMEOUT = 120.0  # commands that only read local databases
NETWORK_TIMEOUT = 300.0  # commands that may refresh repository metadata first
STDERR_LIMIT = 512
NOT_FOUND_RC = 127
TIMEOUT_RC = 124

T = TypeVar("T")


class CommandResult(NamedTuple):
    """Exit status and decoded output of one command."""

    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[list[str], float], CommandResult]


def default_runner(argv: list[str], timeout: float) -> CommandResult:
    """Run argv without a shell, in the C locale, with no stdin and a timeout."""
    env = dict(os.environ, LC_ALL="C", LANG="C", LANGUAGE="C")
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        return CommandResult(NOT_FOUND_RC, "", str(exc))
    except subprocess.TimeoutExpired as exc:
        return CommandResult(TIMEOUT_RC, _decode(exc.stdout), f"timed out after {timeout:g} s")
    return CommandResult(done.returncode, _decode(done.stdout), _decode(done.stderr))


def _decode(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    # Package descriptions are UTF-8 in every distribution's database, whatever the locale says.
    return data.decode("utf-8", errors="replace")


def run_parallel(tasks: Mapping[str, Callable[[], T]]) -> dict[str, T]:
    """Call each task on its own thread and return their results by key."""
    if len(tasks) <= 1:
        return {key: task() for key, task in tasks.items()}
    with ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="collect") as pool:
        futures = {key: pool.submit(task) for key, task in tasks.items()}
        return {key: future.result() for key, future in futures.items()}


_URL_CREDENTIALS = re.compile(r"([a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def redact_url_credentials(text: str) -> str:
    """Replace user:password@ in every URL of text."""
    return _URL_CREDENTIALS.sub(r"\1[redacted]@", text)


def failure(argv: list[str], result: CommandResult) -> str:
    """Describe a failed command: its name, exit status and the start of its stderr, without credentials."""
    stderr = result.stderr.encode("utf-8")[:STDERR_LIMIT].decode("utf-8", errors="ignore").strip()
    what = " ".join(argv[:3]) + (" ..." if len(argv) > 3 else "")
    text = f"{what}: exit status {result.returncode}" + (f": {stderr}" if stderr else "")
    return redact_url_credentials(text.replace("\x00", ""))


@dataclass
class PackageResult:
    """Packages of one host in the wire format of /hosts/update.

    `packages` is empty when the inventory could not be taken (never send it as "fully patched");
    `errors` lists every problem met, including partial ones (no security metadata, no holds).
    """

    manager: str
    packages: list[dict[str, Any]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _clean(value: str) -> str:
    return value.replace("\x00", "").strip()


def package_record(*, name: str, current: str, available: str | None = None, security: bool = False,
                   description: str = "", category: str = "", source: str = "") -> dict[str, Any]:
    """Build one package in the wire format; optional strings are left out when empty, as the reference does."""
    record: dict[str, Any] = {"name": _clean(name)}
    if description.strip():
        record["description"] = _clean(description)
    if category.strip():
        record["category"] = _clean(category)
    record["currentVersion"] = _clean(current)
    if available:
        record["availableVersion"] = _clean(available)
    record["needsUpdate"] = bool(available)
    # Only an available update can be a security update (the server counts needsUpdate and security together).
    record["isSecurityUpdate"] = bool(available) and security
    if source.strip():
        record["sourceRepository"] = _clean(source)
    return record
