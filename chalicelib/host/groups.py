"""Host groups: name, description and colour; hosts list the groups they belong to, and each group counts its
hosts (kept with the memberships: see group_store)."""
from __future__ import annotations

from typing import Any

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import group_store

KEEP: Any = object()  # an update argument that was not sent: the group keeps its current value
DUPLICATE_NAME = "A host group with this name already exists"


def list_(ctx: TenantContext) -> list[dict[str, Any]]:
    """Return the tenant's groups by name, each with its host count (read from the group: no host is read)."""
    return sorted((_view(i) for i in group_store.items(ctx.tenant_id)), key=lambda g: g["name"].lower())


def stored_counts(tenant_id: str) -> dict[str, int]:
    """Return each group's stored host count, for the daily recount."""
    return {i["group_id"]: int(i.get("host_count", 0)) for i in group_store.items(tenant_id)}


def _get_item(tenant_id: str, group_id: str) -> dict[str, Any]:
    item = group_store.get(tenant_id, group_id)
    if item is None:
        raise errors.NotFound("Host group not found")
    return item


def get(ctx: TenantContext, *, group_id: str) -> dict[str, Any]:
    return _view(_get_item(ctx.tenant_id, group_id))


def require_all(ctx: TenantContext, group_ids: list[str]) -> list[dict[str, Any]]:
    """Return the groups named, or InvalidInput naming one that does not exist in this tenant."""
    found = []
    for group_id in dict.fromkeys(group_ids):
        try:
            found.append(get(ctx, group_id=group_id))
        except errors.NotFound:
            raise errors.InvalidInput(f"Host group not found: {group_id}") from None
    return found


def _refuse_duplicate_name(ctx: TenantContext, name: str, *, other_than: str | None = None) -> None:
    if any(g["name"].lower() == name.lower() and g["id"] != other_than for g in list_(ctx)):
        raise errors.Conflict(DUPLICATE_NAME)


def create(ctx: TenantContext, *, name: str, description: str | None, color: str) -> dict[str, Any]:
    _refuse_duplicate_name(ctx, name)
    now = clock.iso(clock.now())
    group = {"group_id": ids.new_id(), "name": name, "description": description, "color": color, "host_count": 0,
             "created_at": now, "updated_at": now}
    group_store.put_new(ctx.tenant_id, group)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_group_created", target_type="host_group", target_id=group["group_id"],
                 details={"name": name, "color": color})
    return _view(group)


def update(ctx: TenantContext, *, group_id: str, name: str, description: str | None = KEEP, color: str = KEEP) -> dict[str, Any]:
    current = get(ctx, group_id=group_id)
    description = current["description"] if description is KEEP else description
    color = current["color"] if color is KEEP else color
    _refuse_duplicate_name(ctx, name, other_than=group_id)
    item = group_store.update(ctx.tenant_id, group_id, name=name, description=description, color=color, at=clock.iso(clock.now()))
    if item is None:
        raise errors.NotFound("Host group not found")
    changed = {k: v for k, v in (("name", name), ("description", description), ("color", color)) if current[k] != v}
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_group_updated", target_type="host_group", target_id=group_id,
                 details={"changed": changed})
    return _view(item)


def delete(ctx: TenantContext, *, group_id: str) -> None:
    """Delete a group that has no hosts (the documented rule: a populated group is refused, not emptied)."""
    item = _get_item(ctx.tenant_id, group_id)
    if not group_store.delete_if_empty(ctx.tenant_id, group_id):
        raise errors.Conflict("Host group still has hosts; move them out of it first")
    from chalicelib.host.service import forget_policy_target

    forget_policy_target(ctx.tenant_id, "host_group", group_id)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_group_deleted", target_type="host_group", target_id=group_id,
                 details={"name": item["name"]})


def correct_count(tenant_id: str, *, group_id: str, observed: int, wanted: int) -> bool:
    """Set a group's host count to `wanted` if it still is `observed`; False when it moved or the group is gone."""
    return group_store.set_count_if(tenant_id, group_id, observed=observed, wanted=wanted)


def _view(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["group_id"], "name": item["name"], "description": item.get("description"), "color": item.get("color"),
            "host_count": int(item.get("host_count", 0)), "created_at": item.get("created_at"), "updated_at": item.get("updated_at")}
