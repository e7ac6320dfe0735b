"""Host groups: name, description and colour; hosts list the groups they belong to.

Each group keeps `host_count`, the number of hosts listing it: a host joining a group is counted in the same
transaction as the membership change (host/store.py), so a group is never deleted with a host joining it, and
counted out right after it leaves. The daily inventory cleanup recounts (`correct_count`).
"""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids, keys
from chalicelib.core.db import is_conditional_failure, main_table, query_all
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import store

KEEP: Any = object()  # an update argument that was not sent: the group keeps its current value
STILL_HAS_HOSTS = "Host group still has hosts; move them out of it first"


def _items(tenant_id: str) -> list[dict[str, Any]]:
    return query_all(KeyConditionExpression=Key("pk").eq(keys.tenant_pk(tenant_id)) & Key("sk").begins_with(keys.HOST_GROUP_PREFIX))


def list_(ctx: TenantContext) -> list[dict[str, Any]]:
    """Return the tenant's groups by name, each with its host count (read from the group: no host is read)."""
    return sorted((_view(i) for i in _items(ctx.tenant_id)), key=lambda g: g["name"].lower())


def stored_counts(tenant_id: str) -> dict[str, int | None]:
    """Return each group's stored host count (None where none is stored)."""
    return {i["group_id"]: int(i["host_count"]) if "host_count" in i else None for i in _items(tenant_id)}


def _get_item(tenant_id: str, group_id: str) -> dict[str, Any]:
    pk, sk = keys.host_group_key(tenant_id, group_id)
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
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


def create(ctx: TenantContext, *, name: str, description: str | None, color: str) -> dict[str, Any]:
    if any(g["name"].lower() == name.lower() for g in list_(ctx)):
        raise errors.Conflict("A host group with this name already exists")
    now = clock.iso(clock.now())
    group = {"group_id": ids.new_id(), "name": name, "description": description, "color": color, "host_count": 0,
             "created_at": now, "updated_at": now}
    pk, sk = keys.host_group_key(ctx.tenant_id, group["group_id"])
    main_table().put_item(Item={"pk": pk, "sk": sk, **{k: v for k, v in group.items() if v is not None}},
                          ConditionExpression="attribute_not_exists(pk)")
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_group_created", target_type="host_group", target_id=group["group_id"],
                 details={"name": name, "color": color})
    return _view(group)


def update(ctx: TenantContext, *, group_id: str, name: str, description: str | None = KEEP, color: str = KEEP) -> dict[str, Any]:
    current = get(ctx, group_id=group_id)
    description = current["description"] if description is KEEP else description
    color = current["color"] if color is KEEP else color
    if any(g["name"].lower() == name.lower() and g["id"] != group_id for g in list_(ctx)):
        raise errors.Conflict("A host group with this name already exists")
    pk, sk = keys.host_group_key(ctx.tenant_id, group_id)
    # An update, not a put: the host count moves with memberships and must not be overwritten by a rename.
    values = {":name": name, ":color": color, ":at": clock.iso(clock.now())}
    expression = "SET #name = :name, color = :color, updated_at = :at"
    if description is None:
        expression += " REMOVE description"
    else:
        values[":description"] = description
        expression += ", description = :description"
    try:
        item = main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression=expression, ConditionExpression="attribute_exists(pk)",
                                        ExpressionAttributeNames={"#name": "name"}, ExpressionAttributeValues=values,
                                        ReturnValues="ALL_NEW")["Attributes"]
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise errors.NotFound("Host group not found") from None
        raise
    changed = {k: v for k, v in (("name", name), ("description", description), ("color", color)) if current[k] != v}
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_group_updated", target_type="host_group", target_id=group_id,
                 details={"changed": changed})
    return _view(item)


def delete(ctx: TenantContext, *, group_id: str) -> None:
    """Delete a group that has no hosts (the documented rule: a populated group is refused, not emptied)."""
    item = _get_item(ctx.tenant_id, group_id)
    pk, sk = keys.host_group_key(ctx.tenant_id, group_id)
    # Conditioned on the count, so a host joining at the same moment (which needs the group to exist) wins or fails.
    condition: dict[str, Any] = {"ConditionExpression": "host_count <= :zero", "ExpressionAttributeValues": {":zero": 0}}
    if "host_count" not in item:  # a group stored before counts were kept: look for a member instead
        if _has_hosts(ctx.tenant_id, group_id):
            raise errors.Conflict(STILL_HAS_HOSTS)
        condition = {"ConditionExpression": "attribute_not_exists(host_count)"}
    try:
        main_table().delete_item(Key={"pk": pk, "sk": sk}, **condition)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise errors.Conflict(STILL_HAS_HOSTS) from None
        raise
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_group_deleted", target_type="host_group", target_id=group_id,
                 details={"name": item["name"]})


def correct_count(tenant_id: str, *, group_id: str, observed: int | None, wanted: int) -> bool:
    """Set a group's host count to `wanted` if it still is `observed` (None: not stored); False when it moved or
    the group is gone (the daily recount)."""
    pk, sk = keys.host_group_key(tenant_id, group_id)
    condition = "attribute_exists(pk) AND " + ("attribute_not_exists(host_count)" if observed is None else "host_count = :observed")
    values = {":wanted": wanted, **({":observed": observed} if observed is not None else {})}
    try:
        main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET host_count = :wanted", ConditionExpression=condition,
                                 ExpressionAttributeValues=values)
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


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
            "host_count": max(0, int(item.get("host_count", 0))), "created_at": item.get("created_at"), "updated_at": item.get("updated_at")}
