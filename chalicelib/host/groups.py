"""Host groups: name, description and colour; hosts list the groups they belong to."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.core import clock, errors, ids, keys
from chalicelib.core.db import main_table
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import store

KEEP: Any = object()  # an update argument that was not sent: the group keeps its current value


def list_(ctx: TenantContext) -> list[dict[str, Any]]:
    response = main_table().query(KeyConditionExpression=Key("pk").eq(keys.tenant_pk(ctx.tenant_id))
                                  & Key("sk").begins_with(keys.HOST_GROUP_PREFIX))
    return sorted((_view(i) for i in response["Items"]), key=lambda g: g["name"].lower())


def get(ctx: TenantContext, *, group_id: str) -> dict[str, Any]:
    pk, sk = keys.host_group_key(ctx.tenant_id, group_id)
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
    if item is None:
        raise errors.NotFound("Host group not found")
    return _view(item)


def require_all(ctx: TenantContext, group_ids: list[str]) -> list[dict[str, Any]]:
    """Return the groups named, or InvalidInput naming one that does not exist in this tenant."""
    found = []
    for group_id in dict.fromkeys(group_ids):
        try:
            found.append(get(ctx, group_id=group_id))
        except errors.NotFound:
            raise errors.InvalidInput(f"Host group not found: {group_id}") from None
    return found


def create(ctx: TenantContext, *, name: str, description: str | None, color: str) -> dict[str, Any]:
    if any(g["name"].lower() == name.lower() for g in list_(ctx)):
        raise errors.Conflict("A host group with this name already exists")
    now = clock.iso(clock.now())
    group = {"group_id": ids.new_id(), "name": name, "description": description, "color": color, "created_at": now, "updated_at": now}
    pk, sk = keys.host_group_key(ctx.tenant_id, group["group_id"])
    main_table().put_item(Item={"pk": pk, "sk": sk, **{k: v for k, v in group.items() if v is not None}})
    return _view(group)


def update(ctx: TenantContext, *, group_id: str, name: str, description: str | None = KEEP, color: str = KEEP) -> dict[str, Any]:
    current = get(ctx, group_id=group_id)
    description = current["description"] if description is KEEP else description
    color = current["color"] if color is KEEP else color
    if any(g["name"].lower() == name.lower() and g["id"] != group_id for g in list_(ctx)):
        raise errors.Conflict("A host group with this name already exists")
    pk, sk = keys.host_group_key(ctx.tenant_id, group_id)
    item = {"group_id": group_id, "name": name, "description": description, "color": color, "created_at": current["created_at"],
            "updated_at": clock.iso(clock.now())}
    main_table().put_item(Item={"pk": pk, "sk": sk, **{k: v for k, v in item.items() if v is not None}})
    return _view(item)


def delete(ctx: TenantContext, *, group_id: str) -> None:
    """Delete a group that has no hosts (the documented rule: a populated group is refused, not emptied)."""
    get(ctx, group_id=group_id)
    if _has_hosts(ctx.tenant_id, group_id):
        raise errors.Conflict("Host group still has hosts; move them out of it first")
    pk, sk = keys.host_group_key(ctx.tenant_id, group_id)
    main_table().delete_item(Key={"pk": pk, "sk": sk})


def _has_hosts(tenant_id: str, group_id: str) -> bool:
    conditions = store.filters_for(group=group_id, status=None, os_type=None, needs_updates=False, security=False, reboot=False, search=None)
    cursor = None
    while True:
        hosts, cursor = store.query_page(tenant_id, limit=200, cursor=cursor, filters=conditions)
        if hosts:
            return True
        if cursor is None:
            return False


def _view(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["group_id"], "name": item["name"], "description": item.get("description"), "color": item.get("color"),
            "created_at": item.get("created_at"), "updated_at": item.get("updated_at")}
