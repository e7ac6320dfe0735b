"""Hosts: enrolment with one-time credentials, the host list, details, changes, deletion."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import credentials, groups, store
from chalicelib.host.schemas import HostCreate
from chalicelib.inventory import service as inventory_service

PUBLIC_FIELDS = ("host_id", "friendly_name", "hostname", "api_id", "status", "os_type", "os_version", "architecture",
                 "kernel_version", "agent_version", "ip", "group_ids", "packages_count", "updates_count", "security_count",
                 "needs_reboot", "reboot_reason", "docker_enabled", "compliance_enabled", "auto_update", "created_at",
                 "updated_at", "last_report_at", "notes", "awaiting_post_patch_report_run_id", "post_patch_report_at")


def _agent_record(*, tenant_id: str, host_id: str, api_id: str, api_key: str, friendly_name: str,
                  docker_enabled: bool, compliance_enabled: bool) -> dict[str, Any]:
    return {"api_id": api_id, "tenant_id": tenant_id, "host_id": host_id, "key_hash": credentials.key_hash(api_key),
            "friendly_name": friendly_name, "docker_enabled": docker_enabled, "compliance_enabled": compliance_enabled,
            "status": "pending", "hashes": {}}


def create(ctx: TenantContext, data: HostCreate, *, host_limit: int) -> dict[str, Any]:
    """Enrol a host; its API key is returned this once and stored only as a keyed hash."""
    group_list = groups.require_all(ctx, data.host_group_ids)
    now = clock.iso(clock.now())
    host_id, api_id, api_key = ids.new_id(), credentials.new_api_id(), credentials.new_api_key()
    host = {"host_id": host_id, "friendly_name": data.friendly_name, "api_id": api_id, "status": "pending",
            "group_ids": [g["id"] for g in group_list], "docker_enabled": data.docker_enabled,
            "compliance_enabled": data.compliance_enabled, "expected_platform": data.expected_platform, "auto_update": True,
            "packages_count": 0, "updates_count": 0, "security_count": 0, "needs_reboot": False,
            "search_text": data.friendly_name.lower(), "created_at": now, "updated_at": now}
    agent = _agent_record(tenant_id=ctx.tenant_id, host_id=host_id, api_id=api_id, api_key=api_key, friendly_name=data.friendly_name,
                          docker_enabled=data.docker_enabled, compliance_enabled=data.compliance_enabled)
    store.put_new(ctx.tenant_id, host, agent, host_limit=host_limit)
    inventory_service.apply_fleet_delta(ctx.tenant_id, inventory_service.fleet_delta({}, host))
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_created", target_type="host", target_id=host_id,
                 details={"friendly_name": data.friendly_name})
    return {"hostId": host_id, "friendlyName": data.friendly_name, "apiId": api_id, "apiKey": api_key,
            "hostGroups": [{"id": g["id"], "name": g["name"], "color": g["color"]} for g in group_list],
            "instructions": "Install the agent with these credentials; the key is shown only now."}


def get(ctx: TenantContext, *, host_id: str, consistent: bool = False) -> dict[str, Any]:
    """Return a host of the tenant; NotFound otherwise. `consistent` before a write conditioned on what was read."""
    host = store.get(ctx.tenant_id, host_id, consistent=consistent)
    if host is None:
        raise errors.NotFound("Host not found")
    return host


def view(host: dict[str, Any], agent: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the public view of a host, with its live check-in state when given."""
    data = {k: host.get(k) for k in PUBLIC_FIELDS}
    agent = agent or {}
    data["last_seen_at"] = agent.get("last_seen_at")
    data["connected"] = bool(agent.get("ws_connected"))
    data["connected_since"] = agent.get("ws_connected_since")
    return data


SORTS = ("friendly_name", "hostname", "status", "os", "last_report_at", "updates_count", "security_count", "created_at")


def _sort_value(host: dict[str, Any], sort: str) -> Any:
    if sort == "os":
        return f"{host.get('os_type') or ''} {host.get('os_version') or ''}".strip().lower() or None
    value = host.get(sort)
    return value.lower() if isinstance(value, str) else value


def list_(ctx: TenantContext, *, limit: int, cursor: str | None, sort: str = "friendly_name", order: str = "asc",
          **filters: Any) -> dict[str, Any]:
    """One page of hosts with their check-in state. By name (the default) it is two requests whatever the
    fleet size; any other order reads the tenant's matching hosts and sorts them (O(fleet) reads)."""
    conditions = store.filters_for(**filters)
    if sort == "friendly_name" and order == "asc":
        hosts, next_cursor = store.query_page(ctx.tenant_id, limit=limit, cursor=cursor, filters=conditions)
    else:
        offset = _offset(cursor, sort=sort, order=order)
        matching = store.query_all_hosts(ctx.tenant_id, filters=conditions)
        by_name = sorted(matching, key=lambda h: h.get("gsi1sk", ""))
        present = [h for h in by_name if _sort_value(h, sort) is not None]
        present.sort(key=lambda h: _sort_value(h, sort), reverse=order == "desc")  # stable: ties stay in name order
        ordered = present + [h for h in by_name if _sort_value(h, sort) is None]
        hosts = ordered[offset:offset + limit]
        next_cursor = _offset_cursor(offset + limit, sort=sort, order=order) if offset + limit < len(ordered) else None
    agents = store.get_agents([h["api_id"] for h in hosts]) if hosts else {}
    return {"hosts": [view(h, agents.get(h["api_id"])) for h in hosts], "next_cursor": next_cursor}


def _offset_cursor(offset: int, *, sort: str, order: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "sort": sort, "order": order}).encode()).decode()


def _offset(cursor: str | None, *, sort: str, order: str) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise errors.InvalidInput("Invalid cursor") from None
    if not isinstance(data, dict) or data.get("sort") != sort or data.get("order") != order or not isinstance(data.get("offset"), int) \
            or data["offset"] < 0:
        raise errors.InvalidInput("Invalid cursor")
    return data["offset"]


def rename(ctx: TenantContext, *, host_id: str, friendly_name: str) -> dict[str, Any]:
    host = get(ctx, host_id=host_id)
    updated = store.update_host(ctx.tenant_id, host_id, {"friendly_name": friendly_name, "gsi1sk": f"{friendly_name.lower()}#{host_id}",
                                                          "search_text": f"{friendly_name} {host.get('hostname') or ''}".lower(),
                                                          "updated_at": clock.iso(clock.now())})
    store.update_agent(host["api_id"], {"friendly_name": friendly_name})
    return updated


def set_groups(ctx: TenantContext, *, host_id: str, group_ids: list[str]) -> dict[str, Any]:
    """Replace a host's groups, keeping each group's host count (Conflict when the host changed meanwhile)."""
    host = get(ctx, host_id=host_id, consistent=True)
    new_ids = [g["id"] for g in groups.require_all(ctx, group_ids)]
    now = clock.iso(clock.now())
    store.set_groups(ctx.tenant_id, host_id, old_group_ids=list(host.get("group_ids") or []), new_group_ids=new_ids, updated_at=now)
    return {**host, "group_ids": new_ids, "updated_at": now}


def get_connected(ctx: TenantContext, *, host_id: str) -> dict[str, Any]:
    """Return a host whose agent holds its WebSocket now; Conflict otherwise (a command to it would be dropped)."""
    host = get(ctx, host_id=host_id)
    if not (store.get_agent(host["api_id"]) or {}).get("ws_connected"):
        raise errors.Conflict("The agent is not connected", code="agent_not_connected")
    return host


def set_auto_update(ctx: TenantContext, *, host_id: str, enabled: bool) -> dict[str, Any]:
    get(ctx, host_id=host_id)
    return store.update_host(ctx.tenant_id, host_id, {"auto_update": enabled, "updated_at": clock.iso(clock.now())})


def regenerate_credentials(ctx: TenantContext, *, host_id: str) -> dict[str, str]:
    """Issue a new api_id and key (the old ones stop working at once)."""
    host = get(ctx, host_id=host_id)
    api_id, api_key = credentials.new_api_id(), credentials.new_api_key()
    agent = _agent_record(tenant_id=ctx.tenant_id, host_id=host_id, api_id=api_id, api_key=api_key, friendly_name=host["friendly_name"],
                          docker_enabled=bool(host.get("docker_enabled")), compliance_enabled=bool(host.get("compliance_enabled")))
    store.rekey_agent(ctx.tenant_id, host, old_api_id=host["api_id"], agent=agent)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_credentials_regenerated", target_type="host", target_id=host_id)
    return {"apiId": api_id, "apiKey": api_key}


def delete(ctx: TenantContext, *, host_id: str) -> None:
    """Delete a host and its credentials (its inventory goes with it, via the inventory service)."""
    host = get(ctx, host_id=host_id, consistent=True)
    inventory_service.remove_host(ctx.tenant_id, host)
    store.delete(ctx.tenant_id, host)
    forget_policy_target(ctx.tenant_id, "host", host_id)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="host_deleted", target_type="host", target_id=host_id,
                 details={"friendly_name": host["friendly_name"]})


def forget_policy_target(tenant_id: str, target_type: str, target_id: str) -> None:
    # Patching builds on hosts, not the other way round: imported here, where a host or group goes.
    from chalicelib.patching import holds, policies

    policies.forget_target(tenant_id, target_type=target_type, target_id=target_id)
    holds.forget_target(tenant_id, target_type=target_type, target_id=target_id)


def hosts_in_group(tenant_id: str, group_id: str) -> list[dict[str, Any]]:
    """Every host that lists a group (reads the tenant's host index with a filter: O(fleet), for scheduled work)."""
    return store.query_all_hosts(tenant_id, filters=store.filters_for(group=group_id, status=None, os_type=None, needs_updates=False,
                                                                      security=False, reboot=False, search=None))


def hosts_by_id(tenant_id: str, host_ids: list[str]) -> list[dict[str, Any]]:
    """The hosts of these ids that exist, whole (one batch read per 100)."""
    from chalicelib.core import keys
    from chalicelib.core.db import batch_get

    return batch_get([keys.host_key(tenant_id, h) for h in host_ids], fields=None) if host_ids else []


def find_summaries(tenant_id: str, host_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Return {host_id: {friendly_name, hostname, status, os_type, os_version}} for the hosts that exist (one batch read per 100)."""
    found = store.get_summaries(tenant_id, host_ids) if host_ids else {}
    return {h: {f: item.get(f) for f in store.SUMMARY_FIELDS if f != "host_id"} for h, item in found.items()}


def stored_group_counts(ctx: TenantContext) -> dict[str, int]:
    """Return each host group's host count as stored, for the recount."""
    return groups.stored_counts(ctx.tenant_id)


def correct_group_count(ctx: TenantContext, *, group_id: str, observed: int, wanted: int) -> bool:
    """Set a group's host count if it still holds `observed`; False when it moved meanwhile."""
    return groups.correct_count(ctx.tenant_id, group_id=group_id, observed=observed, wanted=wanted)


# --- for the agent protocol (the agent domain reaches host data only through these) ---------------
def find_agent(api_id: str) -> dict[str, Any] | None:
    """Return an agent's credential and check-in record (global lookup by api_id), or None."""
    return store.get_agent(api_id)


def find_agents(api_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Return agent records by api_id (one batch read per 100; unknown ids are left out)."""
    return store.get_agents(api_ids, fields=None) if api_ids else {}


def record_agent_state(api_id: str, changes: dict[str, Any], *, add: dict[str, int] | None = None, remove: tuple[str, ...] = (),
                       condition: str | None = None, condition_values: dict[str, Any] | None = None) -> bool:
    """Update an agent's check-in record (one write); False when it is gone or `condition` does not hold."""
    return store.update_agent(api_id, changes, add=add, remove=remove, condition=condition, condition_values=condition_values)


def host_record(tenant_id: str, host_id: str) -> dict[str, Any]:
    """Return a host record (empty if it is gone)."""
    return store.get(tenant_id, host_id) or {}


def update_host_record(tenant_id: str, host_id: str, changes: dict[str, Any], *, remove: tuple[str, ...] = ()) -> dict[str, Any]:
    """Set (and remove) attributes of a host record and return it as it now is (empty if the host is gone)."""
    return store.update_host(tenant_id, host_id, changes, remove=remove)
