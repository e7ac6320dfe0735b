"""A maintenance window opening: one run per host of the window, cut off at the window's end (docs/patching.md)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.observability import logger, metrics
from chalicelib.core.tenancy import TenantContext
from chalicelib.events import service as events
from chalicelib.host import service as host_service
from chalicelib.inventory import service as inventory_service
from chalicelib.patching import dispatch, holds, model, policies, policy_store, run_store, windows
from chalicelib.patching.events import WindowOccurrence
from chalicelib.patching.runs import new_run, start_rollout
from chalicelib.tenant import service as tenant_service

SECURITY_PAGE = 200


def handle(event: WindowOccurrence, *, now: datetime | None = None) -> str:
    """Open a window (or warn of it); returns what happened."""
    now = now or clock.now()
    occurrence = windows.occurrence_time(event.scheduled_time)
    kind = "WINDOW" if event.type == "patching.window_opened" else "WARNING"
    policy = policy_store.get(event.tenant_id, event.policy_id)
    window = (policy or {}).get("window")
    if policy is None or policy.get("patch_delay_type") != "maintenance_window" or not window or window.get("paused"):
        return "dropped: no such active window"
    tenant = tenant_service.find_by_slug_or_id(event.tenant_id)
    if tenant is None or tenant.status != "active" or "patching_policies" not in tenant_service.modules(tenant):
        return "dropped: tenant without patching policies"
    if not windows.claim_occurrence(event.tenant_id, event.policy_id, clock.iso(occurrence), kind=kind):
        return "dropped: occurrence already handled"
    ctx = TenantContext.system(event.tenant_id, "maintenance_window")
    ctx = TenantContext(tenant_id=ctx.tenant_id, principal=ctx.principal, modules=tenant_service.modules(tenant))
    hosts = window_hosts(event.tenant_id, policy, modules=ctx.modules)
    if kind == "WARNING":
        opens = windows.next_opening(window, timezone=policy.get("timezone") or tenant.settings.timezone, after=now)
        events.record(event.tenant_id, "maintenance_window_upcoming", subject_type="patch_policy", subject_id=event.policy_id,
                      data={"policy_name": policy["name"], "opens_at": clock.iso(opens) if opens else None, "hosts": len(hosts)})
        return f"warned: {len(hosts)} hosts"
    ends = occurrence + timedelta(minutes=int(window.get("duration_minutes") or 180))
    if now >= ends:
        return "dropped: the window has closed"
    created = _create_runs(ctx, policy, hosts, occurrence=occurrence, ends=ends, now=now)
    events.record(event.tenant_id, "maintenance_window_opened", subject_type="patch_policy", subject_id=event.policy_id,
                  data={"policy_name": policy["name"], "occurrence": clock.iso(occurrence), "closes_at": clock.iso(ends),
                        "hosts": len(hosts), "runs": len(created), "operation": window.get("operation", "patch_all")})
    metrics.add_metric(name="MaintenanceWindowRuns", unit="Count", value=len(created))
    return f"opened: {len(created)} runs"


def window_hosts(tenant_id: str, policy: dict[str, Any], *, modules: frozenset[str]) -> list[dict[str, Any]]:
    """The hosts this window patches: assigned directly or through a group (less the exclusions), whose effective policy
    is this one (a host assigned elsewhere directly belongs to that policy)."""
    members = policy_store.members(tenant_id, policy["policy_id"])
    excluded = {m["host_id"] for m in members if m["sk"].startswith("EXCL#")}
    direct = [m["target_id"] for m in members if m["sk"].startswith("ASSIGN#") and m["target_type"] == "host"]
    hosts = {h["host_id"]: h for h in host_service.hosts_by_id(tenant_id, direct)}
    for member in members:
        if member["sk"].startswith("ASSIGN#") and member["target_type"] == "host_group":
            for host in host_service.hosts_in_group(tenant_id, member["target_id"]):
                if host["host_id"] not in excluded:
                    hosts.setdefault(host["host_id"], host)
    return [h for h in hosts.values()
            if (policies.resolve(tenant_id, h, modules=modules) or {}).get("policy_id") == policy["policy_id"]]


def _security_names(tenant_id: str, host_id: str) -> list[str]:
    names: list[str] = []
    cursor = None
    while len(names) < model.MAX_PACKAGE_NAMES:
        page = inventory_service.host_packages(tenant_id, host_id, limit=SECURITY_PAGE, cursor=cursor, needs_updates=True, security=True,
                                               search=None)
        names.extend(p["name"] for p in page["packages"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    return names


def _create_runs(ctx: TenantContext, policy: dict[str, Any], hosts: list[dict[str, Any]], *, occurrence: datetime, ends: datetime,
                 now: datetime) -> list[dict[str, Any]]:
    window = policy["window"]
    zone = policy.get("timezone") or policies.tenant_timezone(ctx.tenant_id)
    snapshot = policies.snapshot(policy, tenant_timezone=zone)
    all_holds = holds.all_holds(ctx.tenant_id)
    runs = []
    for host in sorted(hosts, key=lambda h: (h.get("friendly_name") or "").lower()):
        patterns = holds.patterns_of(all_holds, host)
        patch_type, names = model.PATCH_ALL, []
        if window.get("operation") == "security":
            candidates = _security_names(ctx.tenant_id, host["host_id"])
            blocked = holds.held(candidates, patterns)
            names = [n for n in candidates if n not in blocked][:model.MAX_PACKAGE_NAMES]
            if not names:
                continue  # nothing to do on this host in this window
            patch_type = model.PATCH_PACKAGE
        runs.append(new_run(ctx, host, patch_type=patch_type, packages=names, dry_run=False, status=model.QUEUED, now=now,
                            snapshot=snapshot, initiated_by=f"Maintenance window {policy['name']}",
                            exclude_packages=patterns or None, not_after=clock.iso(ends), window_occurrence=clock.iso(occurrence)))
    if runs and window.get("rollout"):
        start_rollout(ctx, runs, window["rollout"], source={"source": "window", "policy_id": policy["policy_id"],
                                                           "policy_name": policy["name"], "initiated_by": f"Maintenance window {policy['name']}"})
    elif runs:
        run_store.put_new(ctx.tenant_id, runs)
        for run in runs:
            dispatch.enqueue(ctx.tenant_id, run, now=now)
    logger.info("maintenance window opened", extra={"policy_id": policy["policy_id"], "runs": len(runs)})
    return runs
