"""`patchmon-agent diagnostics`: system, agent, configuration and connectivity facts, and the log's tail."""
from __future__ import annotations

import os
import platform
import socket
import urllib.parse
from collections.abc import Callable
from typing import Any

from patchmon_agent import __version__, logs
from patchmon_agent import config as cfg
from patchmon_agent.http import ApiError, TransportError

TCP_TIMEOUT = 5.0


def os_release(path: str = "/etc/os-release") -> dict[str, str]:
    """KEY=value pairs of os-release, quotes removed."""
    values: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as source:
            for line in source:
                key, sep, value = line.strip().partition("=")
                if sep and key and not key.startswith("#"):
                    values[key] = value.strip().strip("\"'")
    except OSError:
        pass
    return values


def machine_id() -> str:
    """The machine ID as the reference shows it (DMI product UUID, else machine-id as 8-4-4-4-12)."""
    for path in ("/sys/class/dmi/id/product_uuid", "/etc/machine-id"):
        try:
            with open(path, encoding="ascii", errors="replace") as source:
                value = source.read().strip().lower()
        except OSError:
            continue
        if path.endswith("machine-id") and len(value) == 32:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        if value:
            return value
    return "unknown"


def tcp_check(server: str) -> str:
    """Whether a TCP connection to the server's host and port opens within 5 s."""
    parts = urllib.parse.urlsplit(server)
    if not parts.hostname:
        return "❌ no server configured"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=TCP_TIMEOUT):
            return f"✅ {parts.hostname}:{port} reachable"
    except OSError as exc:
        return f"❌ {parts.hostname}:{port} not reachable ({exc})"


def _present(path: str) -> str:
    return "✅ present" if os.path.exists(path) else "❌ missing"


def run(ctx: Any, out: Callable[[str], None]) -> int:
    """Print the diagnostics; return 0 (a report, not a check)."""
    c, release, uname = ctx.config, os_release(), platform.uname()
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        ("System", [("OS", f"{release.get('NAME', 'Unknown')} {release.get('VERSION', '')}".strip()), ("Architecture", uname.machine),
                    ("Kernel", uname.release), ("Hostname", socket.gethostname()), ("Machine ID", machine_id())]),
        ("Agent", [("Version", __version__), ("Config file", str(ctx.config_file.path)), ("Credentials file", c.credentials_file),
                   ("Log file", c.log_file), ("Log level", c.log_level)]),
    ]
    config_state = _present(str(ctx.config_file.path))
    if ctx.config_file.exists and not ctx.config_file.usable:
        config_state = f"⚠ cannot be parsed ({ctx.config_file.error})"
    sections.append(("Configuration", [("Config file", config_state), ("Credentials file", _present(c.credentials_file))]))
    network = [("Server", c.patchmon_server or "(not set)"), ("TCP", tcp_check(c.patchmon_server))]
    try:
        ctx.client(timeout=10.0, retries=0).post("/hosts/ping")
        network.append(("API credentials", "✅ valid"))
    except (ApiError, TransportError, cfg.ConfigError) as exc:
        network.append(("API credentials", f"❌ {exc}"))
    sections.append(("Network", network))
    for title, rows in sections:
        out(title)
        for label, value in rows:
            out(f"  {label + ':':<18} {value}")
        out()
    out("Recent log entries")
    for line in logs.tail(c.log_file, 10) or ["(none)"]:
        out(f"  {line}")
    return 0
