"""The agent protocol's check-in and report: the hash gate, validation in the documented order, and
writing only what changed (an unchanged check-in costs one read and one write).
"""
from __future__ import annotations

from typing import Any

from chalicelib.agent.schemas import PingRequest, Report
from chalicelib.agent_protocol import canonical
from chalicelib.agent_protocol import constants as protocol
from chalicelib.core import clock, errors
from chalicelib.host import presence
from chalicelib.host import service as host_service
from chalicelib.inventory import service as inventory
from chalicelib.tenant.schemas import SecuritySettings

REPORT_SECTIONS = (protocol.SECTION_PACKAGES, protocol.SECTION_REPOS, protocol.SECTION_INTERFACES, protocol.SECTION_HOSTNAME)
GATED_SECTIONS = REPORT_SECTIONS + (protocol.SECTION_DOCKER, protocol.SECTION_COMPLIANCE)


class ReportRejected(errors.InvalidInput):
    """A report failed validation; it is recorded in the host's history and nothing else is written."""


def _now() -> tuple[str, int]:
    now = clock.now()
    return clock.iso(now), clock.epoch_seconds(now)


def _applies(agent: dict[str, Any], section: str) -> bool:
    if section == "docker":
        return bool(agent.get("docker_enabled"))
    if section == "compliance":
        return bool(agent.get("compliance_enabled"))
    return True


def ping(agent: dict[str, Any], body: PingRequest | None, settings: SecuritySettings) -> dict[str, Any]:
    """Record a check-in and answer which sections the server needs in full (hash gate)."""
    at, epoch = _now()
    stored = agent.get("hashes") or {}
    sent = body.hashes if body and body.hashes else None
    request_full = [s for s in GATED_SECTIONS if _applies(agent, s)
                    and (not stored.get(s) or not sent or not sent.for_section(s) or sent.for_section(s) != stored.get(s))]
    changes: dict[str, Any] = {"last_seen_at": at, "last_seen_epoch": epoch, **presence.checkin_changes(agent, settings, epoch)}
    if body and body.metrics:
        changes["metrics"] = body.metrics.model_dump(exclude_none=True)
    if body and body.agent_version:
        changes["agent_version"] = body.agent_version
    host_service.record_agent_state(agent["api_id"], changes, add={"pings": 1})
    presence.mark_online(agent)
    response: dict[str, Any] = {
        "message": "Ping successful", "timestamp": at, "friendlyName": agent.get("friendly_name", ""), "agentStartup": True,
        "hashGate": True, "integrations": {"docker": bool(agent.get("docker_enabled")), "compliance": bool(agent.get("compliance_enabled"))},
    }
    if request_full:
        response["requestFull"] = request_full
    return response


def validate(report: Report) -> list[str]:
    """Check a report in the reference's order; return the sections it carries or raise ReportRejected."""
    packages, repos = report.packages, report.repositories
    if report.sections is None:
        if not packages:
            raise ReportRejected("Packages array is required")
        sections = list(REPORT_SECTIONS)
    else:
        sections = [s for s in report.sections if s in REPORT_SECTIONS]
        if not sections:
            raise ReportRejected("sections must include at least one of: " + ", ".join(REPORT_SECTIONS))
        if "packages" in sections and not packages:
            raise ReportRejected("Packages array is required")
        if "packages" not in sections and packages:
            raise ReportRejected("packages sent but the packages section is not claimed")
        if "repos" not in sections and repos:
            raise ReportRejected("repositories sent but the repos section is not claimed")
        if "hostname" in sections and not (report.hostname or "").strip():
            sections.remove("hostname")  # a claimed but empty hostname is dropped, as the reference does
            if not sections:
                raise ReportRejected("sections must include at least one of: " + ", ".join(REPORT_SECTIONS))
    if packages and len(packages) > protocol.MAX_PACKAGES:
        raise ReportRejected("Packages array exceeds maximum size")
    for p in packages or []:
        name = p.get("name") if isinstance(p, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name) > protocol.MAX_PACKAGE_NAME_LENGTH:
            raise ReportRejected("Invalid request body")
    for r in repos or []:
        if not isinstance(r, dict):
            raise ReportRejected("Invalid request body")
    return sections


def section_hashes(report: Report, sections: list[str]) -> dict[str, str]:
    """Compute the canonical hash of each section carried; a sent hash that differs is rejected."""
    computed = {
        "packages": lambda: canonical.packages_hash(report.packages or []),
        "repos": lambda: canonical.repos_hash(report.repositories or []),
        "interfaces": lambda: canonical.interfaces_hash(report.network_interfaces or []),
        "hostname": lambda: canonical.hostname_hash(report.hostname or ""),
    }
    hashes = {s: computed[s]() for s in sections}
    for section, value in hashes.items():
        sent = report.hashes.for_section(section) if report.hashes else None
        if sent and sent.lower() != value:
            raise ReportRejected(f"{section} hash mismatch")
    return hashes


def record_rejection(agent: dict[str, Any], report: Report | None, error: str, settings: SecuritySettings) -> None:
    """Write the history row of a rejected report (and nothing else)."""
    inventory.record_report(agent["tenant_id"], agent["host_id"], {
        "status": "error", "error": error[:500], "report_type": "partial" if report and report.sections else "full",
        "sections_sent": list(report.sections or []) if report else []}, retention_days=settings.agent_report_retention_days)


def update(agent: dict[str, Any], report: Report, settings: SecuritySettings) -> dict[str, Any]:
    """Apply a full or partial report: validate, verify hashes, then write only the sections that changed."""
    started = clock.now()
    try:
        sections = validate(report)
        hashes = section_hashes(report, sections)
    except ReportRejected as exc:
        record_rejection(agent, report, exc.message, settings)
        raise
    tenant_id, host_id = agent["tenant_id"], agent["host_id"]
    stored_hashes = dict(agent.get("hashes") or {})
    changed = [s for s in sections if stored_hashes.get(s) != hashes[s]]
    host_before = host_service.host_record(tenant_id, host_id)
    host_changes: dict[str, Any] = {}
    package_totals: dict[str, int] = {}
    if "packages" in changed:
        counts = inventory.apply_packages(tenant_id, host_id, report.packages or [])
        package_totals = counts["fleet_delta"]
        host_changes.update({k: counts[k] for k in ("packages_count", "updates_count", "security_count")})
        host_changes["package_manager"] = report.package_manager
    if "repos" in changed:
        host_changes["repos_count"] = inventory.apply_repos(tenant_id, host_id, report.repositories or [])
    if "interfaces" in changed:
        host_changes.update({"network_interfaces": report.network_interfaces or [], "gateway_ip": report.gateway_ip,
                             "dns_servers": report.dns_servers or [], "ip": report.ip})
    if "hostname" in changed:
        host_changes["hostname"] = (report.hostname or "").strip()
        host_changes["search_text"] = f"{host_before.get('friendly_name', '')} {host_changes['hostname']}".lower()
    host_changes.update(_facts(report, full=report.sections is None))
    at, epoch = _now()
    was_offline = agent.get("status") == "offline"
    status = "active"
    host_changes.update({"status": status, "last_report_at": at, "updated_at": at})
    cleared: tuple[str, ...] = ()
    if report.sections is None:
        host_changes["last_full_report_at"] = at
        if host_before.get("awaiting_post_patch_report_run_id"):  # the inventory after a patch run (C9.14)
            host_changes["post_patch_report_at"] = at
            cleared = ("awaiting_post_patch_report_run_id",)
    host_after = host_service.update_host_record(tenant_id, host_id, {k: v for k, v in host_changes.items() if v is not None},
                                                 remove=cleared)
    inventory.apply_fleet_delta(tenant_id, inventory.fleet_delta(host_before, host_after), package_totals)
    stored_hashes.update(hashes)
    host_service.record_agent_state(agent["api_id"], {"hashes": stored_hashes, "status": status, "last_seen_at": at, "last_seen_epoch": epoch,
                                                      "last_report_at": at, **presence.checkin_changes(agent, settings, epoch)},
                                    add={"reports": 1})
    if was_offline:
        presence.recovered(agent)
    inventory.record_report(tenant_id, host_id, {
        "status": "success", "report_type": "partial" if report.sections is not None else "full", "sections_sent": sections,
        "sections_unchanged": [s for s in sections if s not in changed], "execution_time": report.execution_time,
        "agent_execution_ms": report.agent_execution_ms, "server_ms": int((clock.now() - started).total_seconds() * 1000),
        "packages_count": host_after.get("packages_count", 0)}, retention_days=settings.agent_report_retention_days)
    return {"message": "Host updated successfully", "packagesProcessed": len(report.packages or []),
            "updatesAvailable": int(host_after.get("updates_count", 0)), "securityUpdates": int(host_after.get("security_count", 0))}


IDENTITY_FACTS = ("os_type", "os_version", "architecture", "agent_version", "machine_id", "kernel_version")


MAX_STORED_HELD_PACKAGES = 500  # the host item stays small (it is rewritten by every report)


def _facts(report: Report, *, full: bool) -> dict[str, Any]:
    """System facts to store: all of them from a full report; from a partial one only the identity
    fields that carry a value (the agent fills the rest of a partial report with zero values)."""
    facts = {
        "os_type": report.os_type, "os_version": report.os_version, "architecture": report.architecture,
        "agent_version": report.agent_version, "machine_id": report.machine_id, "kernel_version": report.kernel_version,
        "installed_kernel_version": report.installed_kernel_version, "selinux_status": report.selinux_status,
        "system_uptime": report.system_uptime, "boot_time": report.boot_time, "cpu_model": report.cpu_model,
        "cpu_cores": report.cpu_cores, "ram_installed": _decimal(report.ram_installed), "swap_size": _decimal(report.swap_size),
        "disk_details": report.disk_details, "load_average": [_decimal(x) for x in report.load_average] if report.load_average else None,
    }
    if not full:
        facts = {k: v for k, v in facts.items() if k in IDENTITY_FACTS and v}
    if facts.get("os_type"):
        facts["os_type_lower"] = facts["os_type"].lower()
    if full:  # reboot state is only taken from full reports (the reference's rule)
        facts["needs_reboot"] = bool(report.needs_reboot)
        facts["reboot_reason"] = report.reboot_reason or ""
    if report.held_packages is not None:  # our agent's: what the host holds by itself
        held = sorted(set(report.held_packages))
        facts["held_packages"] = held[:MAX_STORED_HELD_PACKAGES]
        facts["held_packages_count"] = len(held)
    return facts


def _decimal(value: float | None):
    from decimal import Decimal

    return None if value is None else Decimal(str(round(value, 4)))


def record_integration_status(agent: dict[str, Any], status: Any) -> None:
    """Keep the latest setup status an agent reports for one integration (absent install events keep the old ones)."""
    host = host_service.host_record(agent["tenant_id"], agent["host_id"])
    statuses = dict(host.get("integration_status") or {})
    previous = statuses.get(status.integration) or {}
    entry = status.model_dump(exclude_none=True)
    if status.install_events is None and previous.get("install_events"):
        entry["install_events"] = previous["install_events"]
    entry["received_at"] = clock.iso(clock.now())
    statuses[status.integration] = entry
    host_service.update_host_record(agent["tenant_id"], agent["host_id"], {"integration_status": statuses})
