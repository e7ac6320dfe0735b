"""The role matrix and custom roles."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.rbac import permissions as perms
from chalicelib.rbac import service
from chalicelib.rbac.schemas import RoleUpsert
from chalicelib.user import service as user_service
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("roles",)


@route(bp, "/permissions/user-permissions", summary="My role's permissions", tags=TAGS, authenticated=True)
def get_my_permissions(request: Request) -> dict:
    return {"role": request.ctx.role, **{p.key: p.key in request.ctx.permissions for p in perms.PERMISSIONS}}


@route(bp, "/permissions/catalogue", summary="Every permission by risk tier, with labels", tags=TAGS, authenticated=True)
def get_permission_catalogue(request: Request) -> dict:
    return {"tiers": service.catalogue(), "total": len(perms.PERMISSIONS)}


@route(bp, "/permissions/roles", summary="Every role with its permissions (the matrix)", tags=TAGS, permission="can_manage_users")
def list_roles(request: Request) -> dict:
    return {"roles": service.list_(request.ctx)}


@route(bp, "/permissions/roles/{role}", summary="One role", tags=TAGS, permission="can_manage_settings", module="rbac_custom")
def get_role(request: Request) -> dict:
    return service.get(request.ctx, role=request.path_params["role"])


@route(bp, "/permissions/roles/{role}", methods=("PUT",), summary="Create a custom role or edit an editable one", tags=TAGS,
       permission="can_manage_settings", module="rbac_custom", request_model=RoleUpsert)
def upsert_role(request: Request) -> dict:
    body: RoleUpsert = request.body
    return service.upsert(request.ctx, role=request.path_params["role"], permissions=body.granted(), label=body.label)


@route(bp, "/permissions/roles/{role}", methods=("DELETE",), summary="Delete a custom role nobody holds", tags=TAGS,
       permission="can_manage_settings", module="rbac_custom", error_statuses=(409,))
def delete_role(request: Request) -> dict:
    role = request.path_params["role"]
    service.delete(request.ctx, role=role, holders=user_service.count_role(request.ctx.tenant_id, role, active_only=False))
    return {"message": "Role deleted successfully"}
