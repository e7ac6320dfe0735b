"""Package holds: name patterns a host (or every host of a group) must not have patched (docs/patching.md, "Holds").

A hold is honoured by every run the server creates: `patch_all` runs carry the host's patterns to the agent,
which keeps matching packages back; a `patch_package` run naming a held package is refused.
"""
from __future__ import annotations

import fnmatch
from typing import Any

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import groups as host_groups
from chalicelib.host import service as host_service
from chalicelib.patching import hold_store

MAX_HOLDS_PER_TENANT = 1000


def _view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item.get(k) for k in ("hold_id", "target_type", "target_id", "pattern", "reason", "created_by", "created_at")} | {
        "id": item["hold_id"]}


def list_(ctx: TenantContext, *, host_id: str | None = None, group_id: str | None = None) -> list[dict[str, Any]]:
    """The tenant's holds; for a host, the ones that apply to it (its own and its groups')."""
    items = hold_store.holds(ctx.tenant_id)
    if host_id:
        host = host_service.get(ctx, host_id=host_id)
        items = applying(items, host)
    elif group_id:
        host_groups.get(ctx, group_id=group_id)
        items = [i for i in items if i["target_type"] == "host_group" and i["target_id"] == group_id]
    return sorted((_view(i) for i in items), key=lambda h: (h["target_type"], h["pattern"], h["id"]))


def applying(items: list[dict[str, Any]], host: dict[str, Any]) -> list[dict[str, Any]]:
    groups = set(host.get("group_ids") or [])
    return [i for i in items if (i["target_type"] == "host" and i["target_id"] == host["host_id"])
            or (i["target_type"] == "host_group" and i["target_id"] in groups)]


def all_holds(tenant_id: str) -> list[dict[str, Any]]:
    """Every hold of the tenant (one query), to resolve many hosts' patterns with `patterns_of`."""
    return hold_store.holds(tenant_id)


def patterns_of(items: list[dict[str, Any]], host: dict[str, Any]) -> list[str]:
    """The hold patterns that apply to a host, unique and sorted (what its runs carry as `exclude_packages`)."""
    return sorted({i["pattern"] for i in applying(items, host)})


def held(names: list[str], patterns: list[str]) -> dict[str, str]:
    """{package name: the first pattern holding it} for the names some pattern matches."""
    found: dict[str, str] = {}
    for name in names:
        pattern = next((p for p in patterns if fnmatch.fnmatchcase(name, p)), None)
        if pattern:
            found[name] = pattern
    return found


def create(ctx: TenantContext, *, target_type: str, target_id: str, pattern: str, reason: str | None) -> dict[str, Any]:
    if target_type == "host":
        host_service.get(ctx, host_id=target_id)
    else:
        host_groups.get(ctx, group_id=target_id)
    items = hold_store.holds(ctx.tenant_id)
    if len(items) >= MAX_HOLDS_PER_TENANT:
        raise errors.Conflict(f"An organisation can have at most {MAX_HOLDS_PER_TENANT} holds", code="too_many_holds")
    if any(i["target_type"] == target_type and i["target_id"] == target_id and i["pattern"] == pattern for i in items):
        raise errors.Conflict("This hold exists already", code="hold_exists")
    hold = {"hold_id": ids.new_id(), "target_type": target_type, "target_id": target_id, "pattern": pattern, "reason": reason,
            "created_by": ctx.user_id, "created_at": clock.iso(clock.now())}
    hold_store.put_new(ctx.tenant_id, hold)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="package_hold_created", target_type=target_type, target_id=target_id,
                 details={"pattern": pattern, "reason": reason})
    return _view(hold)


def delete(ctx: TenantContext, *, hold_id: str) -> None:
    gone = hold_store.delete(ctx.tenant_id, hold_id)
    if gone is None:
        raise errors.NotFound("Hold not found")
    audit.record(ctx, tenant_id=ctx.tenant_id, action="package_hold_deleted", target_type=gone["target_type"], target_id=gone["target_id"],
                 details={"pattern": gone["pattern"]})


def forget_target(tenant_id: str, *, target_type: str, target_id: str) -> None:
    """Drop the holds of a host or group being deleted."""
    hold_store.delete_of_target(tenant_id, target_type=target_type, target_id=target_id)
