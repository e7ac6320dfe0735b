"""The operator's tenant API, and a tenant's own security settings."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.audit import service as audit
from chalicelib.core.pagination import page_size
from chalicelib.core.settings import get_settings
from chalicelib.tenant import service
from chalicelib.tenant.schemas import (
    OrganisationSignup,
    SecuritySettings,
    SetupLink,
    TenantCreate,
    TenantCreated,
    TenantPage,
    TenantRead,
    TenantUpdate,
)
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
OPERATOR = ("operator",)


@route(bp, "/operator/tenants", summary="List tenants", tags=OPERATOR, operator=True, response_model=TenantPage)
def list_tenants(request: Request) -> dict:
    tenants, cursor = service.list_(limit=page_size(request.query.get("limit")), cursor=request.query.get("cursor"))
    return {"tenants": [service.read_model(t).model_dump() for t in tenants], "next_cursor": cursor}


@route(bp, "/operator/tenants", methods=("POST",), summary="Create a tenant and its setup link", tags=OPERATOR, operator=True,
       request_model=TenantCreate, response_model=TenantCreated, status=201, error_statuses=(409,))
def create_tenant(request: Request) -> dict:
    tenant, link = service.create_with_setup_link(request.body)
    return TenantCreated(**service.read_model(tenant).model_dump(), setup_link=link).model_dump()


@route(bp, "/operator/tenants/{tenant_id}/setup-link", methods=("POST",), summary="Issue a new setup link (the old one stops working)",
       tags=OPERATOR, operator=True, response_model=SetupLink, status=201, error_statuses=(404, 409))
def issue_setup_link(request: Request) -> dict:
    return service.issue_setup_link(request.path_params["tenant_id"]).model_dump()


@route(bp, "/operator/tenants/{tenant_id}", summary="Get a tenant", tags=OPERATOR, operator=True, response_model=TenantRead,
       error_statuses=(404,))
def get_tenant(request: Request) -> dict:
    return service.read_model(service.get(request.path_params["tenant_id"])).model_dump()


@route(bp, "/operator/tenants/{tenant_id}", methods=("PATCH",), summary="Change a tenant's plan, modules, limit or status (suspend)",
       tags=OPERATOR, operator=True, request_model=TenantUpdate, response_model=TenantRead, error_statuses=(404, 409))
def update_tenant(request: Request) -> dict:
    return service.read_model(service.update(request.path_params["tenant_id"], request.body)).model_dump()


@route(bp, "/settings/security", summary="My organisation's security settings", tags=("settings",), permission="can_manage_settings")
def get_security_settings(request: Request) -> dict:
    return request.tenant.settings.model_dump()


@route(bp, "/settings/security", methods=("PUT",), summary="Change password policy, lockouts, sessions, 2FA and sign-up settings",
       tags=("settings",), permission="can_manage_settings", request_model=SecuritySettings, error_statuses=(409,))
def update_security_settings(request: Request) -> dict:
    updated = service.update_settings(request.ctx.tenant_id, request.body)
    audit.record(request.ctx, tenant_id=request.ctx.tenant_id, action="settings_updated", target_type="settings", target_id="security")
    return updated.settings.model_dump()


@route(bp, "/signup/organisation", methods=("POST",), summary="Create an organisation and its first admin (when sign-up is open)",
       tags=("auth",), public=True, tenant=False, request_model=OrganisationSignup, status=201, error_statuses=(403, 409, 429))
def signup_organisation(request: Request) -> dict:
    tenant, user = service.signup_organisation(request.body, client_ip=request.source_ip)
    base = get_settings().base_domain
    return {"tenant": {"id": tenant.tenant_id, "slug": tenant.slug, "name": tenant.name, "plan": tenant.plan},
            "user": {"id": user["user_id"], "username": user["username"], "role": user["role"]},
            "url": f"https://{tenant.slug}.{base}"}
