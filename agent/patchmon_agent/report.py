"""Assemble the report (POST /hosts/update) and the check-in body (POST /hosts/ping) from the collectors.

A full report carries every field in the reference's wire order plus the four canonical hashes; a
partial report carries the identity fields and only the sections the server asked for
(reference-agent.md §4). The collectors are injected (`Collectors`), so tests never read the host.
"""
from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from patchmon_agent import __version__
from patchmon_agent.logs import log
from patchmon_agent.protocol import canonical
from patchmon_agent.protocol import constants as protocol

FAKE_COLLECTORS_ENV = "PATCHMON_AGENT_FAKE_COLLECTORS"
SYSTEM_FIELDS = ("osType", "osVersion", "hostname", "ip", "architecture", "machineId", "kernelVersion", "installedKernelVersion",
                 "selinuxStatus", "systemUptime", "bootTime", "loadAverage", "cpuModel", "cpuCores", "ramInstalled", "swapSize",
                 "diskDetails", "gatewayIp", "dnsServers", "networkInterfaces", "needsReboot", "rebootReason")
# Our server's limits for these strings (chalicelib/agent/schemas.py); longer values would get the whole report refused.
STRING_LIMITS = {"osType": 64, "osVersion": 64, "hostname": 255, "ip": 64, "architecture": 32, "machineId": 128, "kernelVersion": 128,
                 "installedKernelVersion": 128, "selinuxStatus": 32, "systemUptime": 128, "bootTime": 64, "cpuModel": 256,
                 "gatewayIp": 64, "rebootReason": 512, "packageManager": 32}
OMIT_WHEN_EMPTY = ("installedKernelVersion", "bootTime", "rebootReason", "packageManager")
IDENTITY_FIELDS = ("agentVersion", "machineId", "osType", "osVersion", "architecture")
SECTION_FIELDS = {
    protocol.SECTION_PACKAGES: ("packages", "packageManager", protocol.REPORT_HELD_PACKAGES),
    protocol.SECTION_REPOS: ("repositories",),
    protocol.SECTION_INTERFACES: ("ip", "gatewayIp", "dnsServers", "networkInterfaces"),
    protocol.SECTION_HOSTNAME: ("hostname",),
}
PARTIAL_SECTIONS = tuple(SECTION_FIELDS)  # packages, repos, interfaces, hostname: the order of the sections list
PING_METRICS_IF_SET = ("cpuCores", "cpuModel", "ramInstalled", "swapSize", "systemUptime", "rebootReason")
PING_METRICS_IF_NOT_NULL = ("diskDetails", "loadAverage", "bootTime")
_SURROGATE = re.compile("[\ud800-\udfff]")


class CollectionError(Exception):
    """The host's inventory could not be collected; nothing is sent (an empty inventory is never "fully patched")."""


@dataclass
class Collectors:
    """The collection entry points, each callable with no argument."""

    packages: Callable[[], Any]  # -> PackageResult(manager, packages, held, errors)
    repositories: Callable[[], list[dict[str, Any]]]
    system: Callable[[], dict[str, Any]]
    # -> names the host's package manager holds, None when unknown (`heldPackages`, our extension; not hashed)
    holds: Callable[[], list[str] | None] | None = None


@dataclass
class _FakePackages:
    manager: str
    packages: list[dict[str, Any]]
    held: list[str]
    errors: list[str]


def fake_collectors(path: str) -> Collectors:
    """Collectors answering from a JSON file {packageManager, packages, repositories, system} (tests, demos)."""
    def load() -> dict[str, Any]:
        with open(path, encoding="utf-8") as source:
            return json.load(source)

    def packages() -> _FakePackages:
        data = load()
        return _FakePackages(data.get("packageManager", "apt"), data.get("packages", []), [], [])

    return Collectors(
        packages=packages,
        repositories=lambda: load().get("repositories", []),
        system=lambda: load().get("system", {}),
        holds=lambda: load().get(protocol.REPORT_HELD_PACKAGES),
    )


def default_collectors(environ: dict[str, str] | None = None) -> Collectors:
    """The host's real collectors, or the fake ones named by PATCHMON_AGENT_FAKE_COLLECTORS."""
    fake = (os.environ if environ is None else environ).get(FAKE_COLLECTORS_ENV, "").strip()
    if fake:
        log.warning("using fake collectors", extra={"fixture": fake})
        return fake_collectors(fake)
    try:
        from patchmon_agent import system
        from patchmon_agent.collectors import holds, packages, repositories
    except ImportError as exc:
        missing = str(exc)

        def unavailable() -> Any:
            raise CollectionError(f"collectors not available in this build: {missing}")
        return Collectors(unavailable, unavailable, unavailable)
    return Collectors(packages=packages.collect, repositories=repositories.collect, system=system.collect, holds=holds.collect)


def clean_text(value: Any) -> Any:
    """Drop NUL bytes and lone surrogates from every string (nested), as the reference's textsan does."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, dict):
        return {k: clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    return value


def section_hashes(payload: dict[str, Any]) -> dict[str, str]:
    """The four canonical hashes of a full report, under their wire names."""
    return {
        protocol.PACKAGES_HASH: canonical.packages_hash(payload.get("packages") or []),
        protocol.REPOS_HASH: canonical.repos_hash(payload.get("repositories") or []),
        protocol.INTERFACES_HASH: canonical.interfaces_hash(payload.get("networkInterfaces") or []),
        protocol.HOSTNAME_HASH: canonical.hostname_hash(payload.get("hostname") or ""),
    }


def _collect_system(collectors: Collectors) -> dict[str, Any]:
    system = collectors.system()
    if not isinstance(system, dict):
        raise CollectionError("the system collector returned no facts")
    if not str(system.get("hostname") or "").strip():
        raise CollectionError("the system collector found no hostname")
    return system


def _collect_packages(collectors: Collectors) -> Any:
    result = collectors.packages()
    for error in list(getattr(result, "errors", None) or [])[:10]:
        log.warning("package collection problem", extra={"error": str(error)[:512]})
    if not getattr(result, "packages", None):
        errors = "; ".join(str(e) for e in (getattr(result, "errors", None) or [])[:3]) or "no packages found"
        raise CollectionError(f"package collection failed ({getattr(result, 'manager', 'unknown')}): {errors}")
    return result


def _collect_repositories(collectors: Collectors) -> list[dict[str, Any]]:
    try:
        return list(collectors.repositories() or [])
    except Exception as exc:  # a broken sources file must not stop the package inventory
        log.warning("repository collection failed", extra={"error": str(exc)})
        return []


def _collect_holds(collectors: Collectors) -> list[str] | None:
    """The host's held package names, sorted and unique; None (field left out) when unknown or on failure."""
    if collectors.holds is None:
        return None
    try:
        held = collectors.holds()
    except Exception as exc:  # holds are extra information: the report goes without them
        log.warning("held package collection failed", extra={"error": str(exc)})
        return None
    if not isinstance(held, list):
        return None
    names = {clean_text(name).strip() for name in held if isinstance(name, str)}
    return sorted(name for name in names if name and len(name) <= protocol.MAX_PACKAGE_NAME_LENGTH)[:protocol.MAX_PACKAGES]


def collect(collectors: Collectors, *, agent_version: str = __version__) -> dict[str, Any]:
    """Collect everything and return a full report, fields in the reference's wire order, hashes included."""
    started = time.monotonic()
    system = _collect_system(collectors)
    packages = _collect_packages(collectors)
    repositories = _collect_repositories(collectors)
    facts = {name: system.get(name) for name in SYSTEM_FIELDS}
    payload: dict[str, Any] = {"packages": clean_text(list(packages.packages)), "repositories": clean_text(repositories)}
    for name in ("osType", "osVersion", "hostname", "ip", "architecture"):
        payload[name] = facts[name] or ""
    payload["agentVersion"] = agent_version
    for name in ("machineId", "kernelVersion", "installedKernelVersion", "selinuxStatus", "systemUptime", "bootTime", "loadAverage",
                 "cpuModel", "cpuCores", "ramInstalled", "swapSize", "diskDetails", "gatewayIp", "dnsServers", "networkInterfaces"):
        payload[name] = facts[name]
    payload["diskDetails"] = payload["diskDetails"] or []
    payload["dnsServers"] = payload["dnsServers"] or []
    payload["executionTime"] = 0.0
    payload["needsReboot"] = bool(facts["needsReboot"])
    payload["rebootReason"] = facts["rebootReason"] or ""
    payload["packageManager"] = str(getattr(packages, "manager", "") or "")
    held = _collect_holds(collectors)
    if held is not None:  # our extension; the canonical hashes never read it
        payload[protocol.REPORT_HELD_PACKAGES] = held
    for name, limit in STRING_LIMITS.items():
        if isinstance(payload.get(name), str):
            payload[name] = payload[name].strip()[:limit]
    for name in OMIT_WHEN_EMPTY:
        if payload.get(name) in (None, ""):
            payload.pop(name, None)
    payload["hashes"] = section_hashes(payload)
    elapsed = time.monotonic() - started
    payload["executionTime"] = round(elapsed, 3)
    payload["agentExecutionMs"] = int(elapsed * 1000)
    return payload


def partial(report: dict[str, Any], sections: list[str]) -> dict[str, Any]:
    """A partial report: identity fields, `sections`, `hashes`, and the fields of those sections only."""
    wanted = [s for s in PARTIAL_SECTIONS if s in sections]
    if not wanted:
        raise ValueError("a partial report needs at least one of: " + ", ".join(PARTIAL_SECTIONS))
    body: dict[str, Any] = {name: report.get(name) for name in IDENTITY_FIELDS if report.get(name) is not None}
    body["sections"] = wanted
    for section in wanted:
        for name in SECTION_FIELDS[section]:
            if name in report:
                body[name] = report[name]
    body["hashes"] = report["hashes"]
    body["agentExecutionMs"] = report.get("agentExecutionMs", 0)
    return body


def ping_body(report: dict[str, Any], *, extra_hashes: dict[str, str] | None = None) -> dict[str, Any]:
    """The hash-gated check-in body; metrics are dropped, largest first, to stay under the server's 8 KiB."""
    metrics: dict[str, Any] = {name: report[name] for name in PING_METRICS_IF_SET if report.get(name)}
    metrics.update({name: report[name] for name in PING_METRICS_IF_NOT_NULL if report.get(name) is not None})
    metrics["needsReboot"] = bool(report.get("needsReboot"))
    hashes = {k: v for k, v in {**report["hashes"], **(extra_hashes or {})}.items() if v}
    body = {"hashes": hashes, "metrics": metrics, "agentVersion": report.get("agentVersion", __version__),
            "agentExecutionMs": report.get("agentExecutionMs", 0)}
    for droppable in ("diskDetails", "cpuModel", "rebootReason", "systemUptime"):
        if len(json.dumps(body, ensure_ascii=False).encode("utf-8")) <= protocol.MAX_PING_BYTES - 256:
            break
        metrics.pop(droppable, None)
    return body


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Counts worth a log line."""
    packages = report.get("packages") or []
    return {"packages": len(packages), "updates": sum(1 for p in packages if p.get("needsUpdate")),
            "security": sum(1 for p in packages if p.get("isSecurityUpdate")), "repositories": len(report.get("repositories") or [])}
