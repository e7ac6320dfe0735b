"""User administration, my profile, my password and my context."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import service as auth_service
from chalicelib.tenant import service as tenant_service
from chalicelib.user import schemas, service
from chalicelib.user.schemas import PasswordChange, PasswordReset, ProfileUpdate, UserCreate, UserUpdate
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("users",)


def _tfa_enabled(tenant_id: str, user_id: str) -> bool:
    from chalicelib.tfa import service as tfa_service

    return tfa_service.is_enabled(tenant_id, user_id)


def _read(tenant_id: str, user: dict) -> dict:
    """A user as the API shows them, with their 2FA state."""
    return schemas.read(user, tfa_enabled=_tfa_enabled(tenant_id, user["user_id"]))


def _read_all(tenant_id: str, users: list[dict]) -> list[dict]:
    from chalicelib.tfa import service as tfa_service

    enabled = tfa_service.enabled_users(tenant_id, [u["user_id"] for u in users])
    return [schemas.read(u, tfa_enabled=u["user_id"] in enabled) for u in users]


def _end_access(tenant_id: str, user_id: str, *, reason: str, keep_session_id: str | None = None) -> None:
    from chalicelib.tfa import trusted_devices

    auth_service.revoke_user_sessions(tenant_id, user_id, reason=reason, keep_session_id=keep_session_id)
    trusted_devices.revoke_all(tenant_id, user_id)


@route(bp, "/auth/admin/users", summary="List the organisation's users", tags=TAGS, permission="can_view_users")
def list_users(request: Request) -> dict:
    return {"users": _read_all(request.ctx.tenant_id, service.list_(request.ctx))}


@route(bp, "/auth/users/for-assignment", summary="Active users that can be assigned work", tags=TAGS, permission="can_view_users")
def list_users_for_assignment(request: Request) -> dict:
    return {"users": [{"id": u["user_id"], "username": u["username"], "first_name": u.get("first_name"), "last_name": u.get("last_name")}
                      for u in service.list_(request.ctx) if u.get("is_active", True)]}


@route(bp, "/auth/admin/users/{user_id}", summary="Get one user", tags=TAGS, permission="can_view_users")
def get_user(request: Request) -> dict:
    return _read(request.ctx.tenant_id, service.get(request.ctx, user_id=request.path_params["user_id"]))


@route(bp, "/auth/admin/users", methods=("POST",), summary="Create a user", tags=TAGS, permission="can_manage_users",
       request_model=UserCreate, status=201, error_statuses=(409,))
def create_user(request: Request) -> dict:
    # A new user has not set up TFA yet: nothing to read.
    return schemas.read(service.create(request.ctx, request.body, policy=request.tenant.settings.password_policy), tfa_enabled=False)


@route(bp, "/auth/admin/users/{user_id}", methods=("PUT",), summary="Edit a user: details, role, active", tags=TAGS,
       permission="can_manage_users", request_model=UserUpdate, error_statuses=(409,))
def update_user(request: Request) -> dict:
    user_id = request.path_params["user_id"]
    user, ends_sessions = service.update(request.ctx, user_id=user_id, data=request.body)
    if ends_sessions:
        _end_access(request.ctx.tenant_id, user_id, reason="role_changed" if user.get("is_active", True) else "deactivated")
    return _read(request.ctx.tenant_id, user)


@route(bp, "/auth/admin/users/{user_id}/reset-password", methods=("POST",), summary="Set a user's password (ends their sessions)",
       tags=TAGS, permission="can_manage_users", request_model=PasswordReset)
def reset_user_password(request: Request) -> dict:
    user_id = request.path_params["user_id"]
    service.reset_password(request.ctx, user_id=user_id, new_password=request.body.new_password,
                           policy=request.tenant.settings.password_policy)
    _end_access(request.ctx.tenant_id, user_id, reason="password_reset")
    return {"message": "Password reset successfully"}


@route(bp, "/auth/admin/users/{user_id}", methods=("DELETE",), summary="Delete a user", tags=TAGS, permission="can_manage_users",
       error_statuses=(409,))
def delete_user(request: Request) -> dict:
    from chalicelib.preferences import service as preferences_service
    from chalicelib.tfa import service as tfa_service

    user_id = request.path_params["user_id"]
    service.delete(request.ctx, user_id=user_id)
    auth_service.revoke_user_sessions(request.ctx.tenant_id, user_id, reason="user_deleted")
    tfa_service.purge(request.ctx.tenant_id, user_id)
    preferences_service.purge(request.ctx.tenant_id, user_id)
    return {"message": "User deleted successfully"}


@route(bp, "/auth/profile", summary="My profile", tags=TAGS, authenticated=True)
def get_profile(request: Request) -> dict:
    return {"user": _read(request.ctx.tenant_id, service.get_self(request.ctx))}


@route(bp, "/auth/profile", methods=("PUT",), summary="Change my details", tags=TAGS, authenticated=True,
       request_model=ProfileUpdate, error_statuses=(409,))
def update_profile(request: Request) -> dict:
    return {"message": "Profile updated successfully", "user": _read(request.ctx.tenant_id, service.update_profile(request.ctx, request.body))}


@route(bp, "/auth/change-password", methods=("PUT",), summary="Change my password (ends my other sessions and trusted devices)",
       tags=TAGS, authenticated=True, rate_limit="password", request_model=PasswordChange)
def change_password(request: Request) -> dict:
    service.change_password(request.ctx, request.body, policy=request.tenant.settings.password_policy)
    _end_access(request.ctx.tenant_id, request.ctx.user_id, reason="password_changed", keep_session_id=request.ctx.session_id)
    return {"message": "Password changed successfully"}


@route(bp, "/me/context", summary="Me, my role and permissions, and my organisation's plan and modules", tags=TAGS, authenticated=True)
def get_my_context(request: Request) -> dict:
    ctx, tenant = request.ctx, request.tenant
    user = service.get_self(ctx)
    return {
        "user": _read(ctx.tenant_id, user),
        "role": ctx.role,
        "permissions": sorted(ctx.permissions),
        "tenant": {"id": tenant.tenant_id, "slug": tenant.slug, "name": tenant.name, "status": tenant.status},
        "plan": tenant.plan,
        "modules": sorted(tenant_service.modules(tenant)),
        "host_limit": tenant.host_limit,
    }
