"""Fleet-wide packages, repositories and the dashboard summary."""
from __future__ import annotations

from urllib.parse import unquote

from chalice import Blueprint

from chalicelib.core import errors
from chalicelib.core.pagination import page_size
from chalicelib.inventory import service
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)


def _flag(request: Request, name: str) -> bool:
    # A misspelt value must not silently drop the filter and answer with the whole fleet.
    value = request.query.get(name, "").lower()
    if value not in ("", "0", "false", "no", "1", "true", "yes"):
        raise errors.InvalidInput(f"{name} must be true or false")
    return value in ("1", "true", "yes")


@route(bp, "/packages", summary="Packages across the fleet with installed / outdated / security host counts", tags=("packages",),
       permission="can_view_packages")
def list_packages(request: Request) -> dict:
    q = request.query
    return service.packages_page(request.ctx.tenant_id, limit=page_size(q.get("limit")), cursor=q.get("cursor"),
                                 needs_updates=_flag(request, "needs_updates"), security=_flag(request, "security"), search=q.get("search"))


@route(bp, "/packages/{name}", summary="One package's fleet counts", tags=("packages",), permission="can_view_packages")
def get_package(request: Request) -> dict:
    found = service.package(request.ctx.tenant_id, unquote(request.path_params["name"]))
    if found is None:
        raise errors.NotFound("Package not found")
    return found


@route(bp, "/packages/{name}/hosts", summary="The hosts that have a package (with their names, status and OS)", tags=("packages",),
       permission="can_view_packages")
def list_package_hosts(request: Request) -> dict:
    name = unquote(request.path_params["name"])
    if service.package(request.ctx.tenant_id, name) is None:
        raise errors.NotFound("Package not found")
    return service.package_hosts(request.ctx.tenant_id, name, limit=page_size(request.query.get("limit")), cursor=request.query.get("cursor"))


@route(bp, "/repositories", summary="Repositories across the fleet with their host counts", tags=("repositories",),
       permission="can_view_hosts")
def list_repositories(request: Request) -> dict:
    return service.repos_page(request.ctx.tenant_id, limit=page_size(request.query.get("limit")), cursor=request.query.get("cursor"))


@route(bp, "/repositories/{repository_id}", summary="One repository of the fleet with its host count", tags=("repositories",),
       permission="can_view_hosts")
def get_repository(request: Request) -> dict:
    found = service.repo(request.ctx.tenant_id, request.path_params["repository_id"])
    if found is None:
        raise errors.NotFound("Repository not found")
    return found


@route(bp, "/repositories/{repository_id}/hosts", summary="The hosts using a repository (with their names, status and OS)",
       tags=("repositories",), permission="can_view_hosts")
def list_repository_hosts(request: Request) -> dict:
    if service.repo(request.ctx.tenant_id, request.path_params["repository_id"]) is None:
        raise errors.NotFound("Repository not found")
    return service.repo_hosts(request.ctx.tenant_id, request.path_params["repository_id"], limit=page_size(request.query.get("limit")),
                              cursor=request.query.get("cursor"))


@route(bp, "/dashboard/stats", summary="Fleet summary: totals, updates, security, reboots, OS and status distribution",
       tags=("dashboard",), permission="can_view_dashboard")
def get_dashboard_stats(request: Request) -> dict:
    return service.dashboard(request.ctx.tenant_id)
