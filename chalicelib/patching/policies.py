"""Patch policies: when approved and triggered runs fire (C10). Resolution: a direct host assignment, else the
oldest assignment of one of the host's groups whose policy does not exclude the host, else the implicit Default."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import groups as host_groups
from chalicelib.host import service as host_service
from chalicelib.patching import policy_store, timing, windows
from chalicelib.patching.schemas import AssignmentCreate, PolicyWrite
from chalicelib.tenant import service as tenant_service

DEFAULT_POLICY_NAME = "Default"
EXECUTION_FIELDS = ("reboot_policy", "pre_hooks", "post_hooks", "post_reboot_hooks", "window")
SNAPSHOT_FIELDS = ("policy_id", "name", "patch_delay_type", "delay_minutes", "fixed_time", "timezone", *EXECUTION_FIELDS)
POLICY_FIELDS = ("policy_id", "name", "description", "patch_delay_type", "delay_minutes", "fixed_time", "timezone", *EXECUTION_FIELDS,
                 "created_at", "updated_at", "created_by")


def _view(policy: dict[str, Any]) -> dict[str, Any]:
    data = {k: policy.get(k) for k in POLICY_FIELDS}
    data["id"] = policy["policy_id"]
    data["fixed_time_utc"] = policy.get("fixed_time")  # the reference's name (it was always UTC there)
    data["assignment_count"] = int(policy.get("assignment_count") or 0)
    data["reboot_policy"] = policy.get("reboot_policy") or "never"
    data["window"] = _window_view(policy.get("window"))
    for name in ("pre_hooks", "post_hooks", "post_reboot_hooks"):
        data[name] = list(policy.get(name) or [])
    return data


def _window_view(window: dict[str, Any] | None) -> dict[str, Any] | None:
    if not window:
        return None
    data = {k: window.get(k) for k in ("days", "time", "cron", "operation", "paused", "rollout")}
    data.update({k: int(window.get(k) or 0) for k in ("duration_minutes", "warn_minutes")})
    return data


def _get(ctx: TenantContext, policy_id: str) -> dict[str, Any]:
    policy = policy_store.get(ctx.tenant_id, policy_id)
    if policy is None:
        raise errors.NotFound("Policy not found")
    return policy


def list_(ctx: TenantContext) -> list[dict[str, Any]]:
    return sorted((_view(p) for p in policy_store.policies(ctx.tenant_id)), key=lambda p: (p["name"].lower(), p["id"]))


def get(ctx: TenantContext, *, policy_id: str) -> dict[str, Any]:
    """A policy with its assignments and exclusions, named."""
    policy = _view(_get(ctx, policy_id))
    members = policy_store.members(ctx.tenant_id, policy_id)
    assignments = [m for m in members if m["sk"].startswith("ASSIGN#")]
    exclusions = [m for m in members if m["sk"].startswith("EXCL#")]
    host_ids = [a["target_id"] for a in assignments if a["target_type"] == "host"] + [e["host_id"] for e in exclusions]
    names = {h: s.get("friendly_name") or s.get("hostname") or h for h, s in host_service.find_summaries(ctx.tenant_id, host_ids).items()}
    group_names = {g["id"]: g["name"] for g in host_groups.list_(ctx)} if any(a["target_type"] == "host_group" for a in assignments) else {}
    policy["assignments"] = sorted(({"id": a["assignment_id"], "target_type": a["target_type"], "target_id": a["target_id"],
                                     "target_name": (names if a["target_type"] == "host" else group_names).get(a["target_id"]),
                                     "created_at": a["created_at"]} for a in assignments), key=lambda a: a["created_at"])
    policy["exclusions"] = sorted(({"host_id": e["host_id"], "host_name": names.get(e["host_id"]), "created_at": e["created_at"]}
                                   for e in exclusions), key=lambda e: e["created_at"])
    return policy


def _fields(data: PolicyWrite) -> dict[str, Any]:
    return {"name": data.name.strip(), "description": data.description, "patch_delay_type": data.patch_delay_type,
            "delay_minutes": data.delay_minutes, "fixed_time": data.fixed_time, "timezone": data.timezone,
            "reboot_policy": data.reboot_policy, "pre_hooks": data.pre_hooks or None, "post_hooks": data.post_hooks or None,
            "post_reboot_hooks": data.post_reboot_hooks or None,
            "window": data.window.model_dump(exclude_none=True) if data.window else None}


def create(ctx: TenantContext, data: PolicyWrite) -> dict[str, Any]:
    now = clock.iso(clock.now())
    policy = {"policy_id": ids.new_id(), **_fields(data), "assignment_count": 0, "created_at": now, "updated_at": now,
              "created_by": ctx.user_id}
    zone = policy.get("timezone") or tenant_timezone(ctx.tenant_id)
    if policy.get("window"):
        windows.refuse_invalid(policy["window"], zone)
    policy_store.put_new(ctx.tenant_id, policy)
    windows.sync_schedules(ctx.tenant_id, policy, timezone=zone)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_created", target_type="patch_policy", target_id=policy["policy_id"],
                 details={"name": policy["name"], "patch_delay_type": policy["patch_delay_type"]})
    return _view(policy)


def update(ctx: TenantContext, *, policy_id: str, data: PolicyWrite) -> dict[str, Any]:
    """Change a policy; runs already created keep the snapshot they were timed by (C10.15)."""
    current = _get(ctx, policy_id)
    policy = {**current, **_fields(data), "updated_at": clock.iso(clock.now())}
    zone = policy.get("timezone") or tenant_timezone(ctx.tenant_id)
    if policy.get("window"):
        windows.refuse_invalid(policy["window"], zone)
    policy_store.replace(ctx.tenant_id, policy)
    windows.sync_schedules(ctx.tenant_id, policy, timezone=zone)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_updated", target_type="patch_policy", target_id=policy_id,
                 details={"name": policy["name"], "patch_delay_type": policy["patch_delay_type"]})
    return _view(policy)


def delete(ctx: TenantContext, *, policy_id: str) -> None:
    """Delete a policy with its assignments and exclusions; scheduled runs still fire (C10.16)."""
    policy = _get(ctx, policy_id)
    windows.delete_schedules(policy_id)
    policy_store.delete_policy(ctx.tenant_id, policy_id)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_deleted", target_type="patch_policy", target_id=policy_id,
                 details={"name": policy["name"]})


def add_assignment(ctx: TenantContext, *, policy_id: str, data: AssignmentCreate) -> dict[str, Any]:
    _get(ctx, policy_id)
    if data.target_type == "host":
        host_service.get(ctx, host_id=data.target_id)
    else:
        host_groups.get(ctx, group_id=data.target_id)
    assignment = {"assignment_id": ids.new_id(), "target_type": data.target_type, "target_id": data.target_id,
                  "created_at": clock.iso(clock.now())}
    policy_store.add_assignment(ctx.tenant_id, policy_id, assignment)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_assigned", target_type="patch_policy", target_id=policy_id,
                 details={"target_type": data.target_type, "target_id": data.target_id})
    return {"id": assignment["assignment_id"], "target_type": data.target_type, "target_id": data.target_id,
            "created_at": assignment["created_at"]}


def remove_assignment(ctx: TenantContext, *, policy_id: str, assignment_id: str) -> None:
    _get(ctx, policy_id)
    found = next((m for m in policy_store.members(ctx.tenant_id, policy_id)
                  if m["sk"].startswith("ASSIGN#") and m.get("assignment_id") == assignment_id), None)
    if found is None:
        raise errors.NotFound("Assignment not found")
    policy_store.remove_assignment(ctx.tenant_id, policy_id, found)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_unassigned", target_type="patch_policy", target_id=policy_id,
                 details={"target_type": found["target_type"], "target_id": found["target_id"]})


def add_exclusion(ctx: TenantContext, *, policy_id: str, host_id: str) -> dict[str, Any]:
    _get(ctx, policy_id)
    host_service.get(ctx, host_id=host_id)
    exclusion = {"host_id": host_id, "created_at": clock.iso(clock.now())}
    if not policy_store.put_exclusion(ctx.tenant_id, policy_id, exclusion):
        raise errors.Conflict("This host is already excluded from the policy", code="already_excluded")
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_exclusion_added", target_type="patch_policy", target_id=policy_id,
                 details={"host_id": host_id})
    return exclusion


def remove_exclusion(ctx: TenantContext, *, policy_id: str, host_id: str) -> None:
    _get(ctx, policy_id)
    if not policy_store.delete_exclusion(ctx.tenant_id, policy_id, host_id):
        raise errors.NotFound("Exclusion not found")
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_policy_exclusion_removed", target_type="patch_policy", target_id=policy_id,
                 details={"host_id": host_id})


def forget_target(tenant_id: str, *, target_type: str, target_id: str) -> None:
    """Drop the assignment of a host or group that is being deleted (its exclusions are harmless and stay)."""
    for assignment in policy_store.targets(tenant_id, [(target_type, target_id)]):
        try:
            policy_store.remove_assignment(tenant_id, assignment["policy_id"], assignment)
        except errors.NotFound:
            pass


# --- resolution -----------------------------------------------------------------------------------
def resolve(tenant_id: str, host: dict[str, Any], *, modules: frozenset[str]) -> dict[str, Any] | None:
    """The policy that times runs on `host`, or None for the implicit Default. Without `patching_policies` runs always
    fire immediately (C10.1)."""
    if "patching_policies" not in modules:
        return None
    group_ids = list(host.get("group_ids") or [])
    assignments = policy_store.targets(tenant_id, [("host", host["host_id"]), *(("host_group", g) for g in group_ids)])
    direct = next((a for a in assignments if a["target_type"] == "host"), None)
    if direct is not None:
        return policy_store.get(tenant_id, direct["policy_id"])
    by_group = sorted((a for a in assignments if a["target_type"] == "host_group"), key=lambda a: (a["created_at"], a["assignment_id"]))
    if not by_group:
        return None
    excluded = policy_store.excluded(tenant_id, [(a["policy_id"], host["host_id"]) for a in by_group])
    for assignment in by_group:
        if (assignment["policy_id"], host["host_id"]) not in excluded:
            return policy_store.get(tenant_id, assignment["policy_id"])
    return None


def snapshot(policy: dict[str, Any] | None, *, tenant_timezone: str) -> dict[str, Any]:
    """What a run keeps of the policy that timed it (immutable; survives edits and deletion, C10.11)."""
    if policy is None:
        return {"policy_id": None, "name": DEFAULT_POLICY_NAME, "patch_delay_type": timing.IMMEDIATE, "timezone": tenant_timezone}
    data = {k: policy.get(k) for k in SNAPSHOT_FIELDS if policy.get(k) is not None}
    data["timezone"] = policy.get("timezone") or tenant_timezone
    return data


def tenant_timezone(tenant_id: str) -> str:
    return tenant_service.get(tenant_id).settings.timezone


def preview(ctx: TenantContext, *, host_id: str, now: datetime | None = None) -> dict[str, Any]:
    """When a run triggered now on a host would fire, and by which policy (GET /patching/preview-run)."""
    host = host_service.get(ctx, host_id=host_id)
    now = now or clock.now()
    zone = tenant_timezone(ctx.tenant_id)
    policy = resolve(ctx.tenant_id, host, modules=ctx.modules)
    fires = timing.run_at(policy, now=now, tenant_timezone=zone)
    snap = snapshot(policy, tenant_timezone=zone)
    return {"host_id": host_id, "host_name": host.get("friendly_name") or host.get("hostname"), "run_at_iso": clock.iso(fires),
            "immediate": fires <= now, "policy_id": snap.get("policy_id"), "policy_name": snap["name"],
            "patch_delay_type": snap["patch_delay_type"], "delay_minutes": snap.get("delay_minutes"),
            "fixed_time": snap.get("fixed_time"), "timezone": snap["timezone"]}
