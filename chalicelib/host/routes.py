"""Hosts and host groups, for signed-in users."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.core import errors
from chalicelib.core.pagination import page_size
from chalicelib.host import groups, service
from chalicelib.host.schemas import AutoUpdate, BulkDelete, BulkGroupsUpdate, FriendlyNameUpdate, HostCreate, HostGroupsUpdate, HostGroupWrite
from chalicelib.inventory import service as inventory_service
from chalicelib.realtime import service as realtime_service
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("hosts",)


def _flag(request: Request, name: str) -> bool:
    # A misspelt value must not silently drop the filter and answer with the whole fleet.
    value = request.query.get(name, "").lower()
    if value not in ("", "0", "false", "no", "1", "true", "yes"):
        raise errors.InvalidInput(f"{name} must be true or false")
    return value in ("1", "true", "yes")


@route(bp, "/hosts", summary="Hosts with filters (group: an id or `ungrouped`, status, os, needs_updates, security, reboot_required, search) and "
       "sort (friendly_name, hostname, status, os, last_report_at, updates_count, security_count, created_at; order asc|desc)",
       tags=TAGS, permission="can_view_hosts")
def list_hosts(request: Request) -> dict:
    q = request.query
    sort, order = q.get("sort") or "friendly_name", (q.get("order") or "asc").lower()
    if sort not in service.SORTS:
        raise errors.InvalidInput(f"sort must be one of: {', '.join(service.SORTS)}")
    if order not in ("asc", "desc"):
        raise errors.InvalidInput("order must be asc or desc")
    return service.list_(request.ctx, limit=page_size(q.get("limit")), cursor=q.get("cursor"), sort=sort, order=order, group=q.get("group"),
                         status=q.get("status"), os_type=q.get("os"), needs_updates=_flag(request, "needs_updates"),
                         security=_flag(request, "security"), reboot=_flag(request, "reboot_required"), search=q.get("search"))


@route(bp, "/hosts/create", methods=("POST",), summary="Enrol a host: returns its API id and key once", tags=TAGS,
       permission="can_manage_hosts", request_model=HostCreate, status=201)
def create_host(request: Request) -> dict:
    return service.create(request.ctx, request.body, host_limit=request.tenant.host_limit)


@route(bp, "/hosts/{host_id}", summary="One host with its system facts", tags=TAGS, permission="can_view_hosts")
def get_host(request: Request) -> dict:
    host = service.get(request.ctx, host_id=request.path_params["host_id"])
    agent = service.find_agent(host["api_id"]) or {}
    detail = service.view(host, agent)
    detail["secure"] = bool(agent.get("ws_secure"))
    detail.update({k: host.get(k) for k in ("network_interfaces", "gateway_ip", "dns_servers", "disk_details", "cpu_model", "cpu_cores",
                                            "ram_installed", "swap_size", "system_uptime", "boot_time", "load_average", "machine_id",
                                            "installed_kernel_version", "selinux_status", "package_manager", "repos_count",
                                            "integration_status", "held_packages", "held_packages_count")})
    return detail


@route(bp, "/hosts/{host_id}/friendly-name", methods=("PATCH",), summary="Rename a host", tags=TAGS, permission="can_manage_hosts",
       request_model=FriendlyNameUpdate)
def rename_host(request: Request) -> dict:
    return service.view(service.rename(request.ctx, host_id=request.path_params["host_id"], friendly_name=request.body.friendly_name))


@route(bp, "/hosts/{host_id}/groups", methods=("PUT",), summary="Set a host's groups", tags=TAGS, permission="can_manage_hosts",
       request_model=HostGroupsUpdate)
def set_host_groups(request: Request) -> dict:
    return service.view(service.set_groups(request.ctx, host_id=request.path_params["host_id"], group_ids=request.body.group_ids))


@route(bp, "/hosts/bulk/groups", methods=("PUT",), summary="Set the groups of many hosts", tags=TAGS, permission="can_manage_hosts",
       request_model=BulkGroupsUpdate)
def bulk_set_host_groups(request: Request) -> dict:
    body: BulkGroupsUpdate = request.body
    host_ids = list(dict.fromkeys(body.host_ids))
    for host_id in host_ids:  # every host must exist before any is changed
        service.get(request.ctx, host_id=host_id)
    updated = [service.set_groups(request.ctx, host_id=h, group_ids=body.group_ids) for h in host_ids]
    return {"updated": len(updated)}


@route(bp, "/hosts/{host_id}/auto-update", methods=("PATCH",), summary="Allow or stop agent auto-update for a host", tags=TAGS,
       permission="can_manage_hosts", request_model=AutoUpdate)
def set_host_auto_update(request: Request) -> dict:
    return service.view(service.set_auto_update(request.ctx, host_id=request.path_params["host_id"], enabled=request.body.auto_update))


@route(bp, "/hosts/{host_id}/regenerate-credentials", methods=("POST",), summary="Issue new agent credentials (old ones stop working)",
       tags=TAGS, permission="can_manage_hosts")
def regenerate_host_credentials(request: Request) -> dict:
    return service.regenerate_credentials(request.ctx, host_id=request.path_params["host_id"])


@route(bp, "/hosts/{host_id}", methods=("DELETE",), summary="Delete a host and its inventory", tags=TAGS, permission="can_manage_hosts")
def delete_host(request: Request) -> dict:
    service.delete(request.ctx, host_id=request.path_params["host_id"])
    return {"message": "Host deleted successfully"}


@route(bp, "/hosts/{host_id}/packages", summary="A host's packages (filters: needs_updates, security, search)", tags=TAGS,
       permission="can_view_hosts")
def list_host_packages(request: Request) -> dict:
    host = service.get(request.ctx, host_id=request.path_params["host_id"])
    q = request.query
    return inventory_service.host_packages(request.ctx.tenant_id, host["host_id"], limit=page_size(q.get("limit"), 100),
                                           cursor=q.get("cursor"), needs_updates=_flag(request, "needs_updates"),
                                           security=_flag(request, "security"), search=q.get("search"))


@route(bp, "/hosts/{host_id}/repositories", summary="A host's repositories (as its last report listed them)", tags=TAGS,
       permission="can_view_hosts")
def list_host_repositories(request: Request) -> dict:
    host = service.get(request.ctx, host_id=request.path_params["host_id"])
    return inventory_service.host_repos(request.ctx.tenant_id, host["host_id"], limit=page_size(request.query.get("limit"), 100),
                                        cursor=request.query.get("cursor"))


@route(bp, "/hosts/{host_id}/reports", summary="A host's report history, newest first", tags=TAGS, permission="can_view_hosts")
def list_host_reports(request: Request) -> dict:
    host = service.get(request.ctx, host_id=request.path_params["host_id"])
    return inventory_service.host_reports(request.ctx.tenant_id, host["host_id"], limit=page_size(request.query.get("limit")),
                                          cursor=request.query.get("cursor"))


@route(bp, "/host-groups", summary="Host groups", tags=TAGS, permission="can_view_hosts")
def list_host_groups(request: Request) -> dict:
    return {"groups": groups.list_(request.ctx)}


@route(bp, "/host-groups", methods=("POST",), summary="Create a host group", tags=TAGS, permission="can_manage_hosts",
       request_model=HostGroupWrite, status=201, error_statuses=(409,))
def create_host_group(request: Request) -> dict:
    body: HostGroupWrite = request.body
    return groups.create(request.ctx, name=body.name, description=body.description, color=body.color)


@route(bp, "/host-groups/{group_id}", summary="One host group", tags=TAGS, permission="can_view_hosts")
def get_host_group(request: Request) -> dict:
    return groups.get(request.ctx, group_id=request.path_params["group_id"])


@route(bp, "/host-groups/{group_id}", methods=("PUT",), summary="Change a host group", tags=TAGS, permission="can_manage_hosts",
       request_model=HostGroupWrite, error_statuses=(409,))
def update_host_group(request: Request) -> dict:
    body: HostGroupWrite = request.body
    sent = {k: getattr(body, k) for k in ("description", "color") if k in body.model_fields_set}  # fields left out are kept
    return groups.update(request.ctx, group_id=request.path_params["group_id"], name=body.name, **sent)


@route(bp, "/host-groups/{group_id}", methods=("DELETE",), summary="Delete a host group that has no hosts", tags=TAGS,
       permission="can_manage_hosts", error_statuses=(409,))
def delete_host_group(request: Request) -> dict:
    groups.delete(request.ctx, group_id=request.path_params["group_id"])
    return {"message": "Host group deleted successfully"}


@route(bp, "/hosts/{host_id}/fetch-report", methods=("POST",), summary="Ask the host's agent for a full report now (409 if not connected)",
       tags=TAGS, permission="can_manage_hosts", status=202, error_statuses=(409,))
def fetch_host_report(request: Request) -> dict:
    host = service.get_connected(request.ctx, host_id=request.path_params["host_id"])
    realtime_service.request_agent_message(request.ctx, host_id=host["host_id"], message_type="report_now")
    return {"message": "Report requested", "hostId": host["host_id"]}


@route(bp, "/hosts/{host_id}/force-agent-update", methods=("POST",), summary="Ask the host's agent to update itself now (409 if not connected)",
       tags=TAGS, permission="can_manage_hosts", status=202, error_statuses=(409,))
def force_agent_update(request: Request) -> dict:
    host = service.get_connected(request.ctx, host_id=request.path_params["host_id"])
    realtime_service.request_agent_message(request.ctx, host_id=host["host_id"], message_type="update_agent")
    return {"message": "Agent update requested", "hostId": host["host_id"]}


@route(bp, "/host-groups/{group_id}/hosts", summary="The hosts of a group", tags=TAGS, permission="can_view_hosts")
def list_host_group_hosts(request: Request) -> dict:
    group = groups.get(request.ctx, group_id=request.path_params["group_id"])
    return service.list_(request.ctx, limit=page_size(request.query.get("limit")), cursor=request.query.get("cursor"), group=group["id"],
                         status=None, os_type=None, needs_updates=False, security=False, reboot=False, search=None)


@route(bp, "/hosts/bulk", methods=("DELETE",), summary="Delete many hosts (ids of other tenants are reported as not found)", tags=TAGS,
       permission="can_manage_hosts", request_model=BulkDelete)
def bulk_delete_hosts(request: Request) -> dict:
    deleted, not_found = [], []
    for host_id in dict.fromkeys(request.body.host_ids):
        try:
            service.delete(request.ctx, host_id=host_id)
            deleted.append(host_id)
        except errors.NotFound:
            not_found.append(host_id)
    return {"deleted": deleted, "not_found": not_found}
