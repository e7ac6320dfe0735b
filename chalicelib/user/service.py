"""Users: first-time setup, sign-up, administration with rank rules, profile and password changes."""
from __future__ import annotations

from typing import Any

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.rbac import permissions as perms
from chalicelib.rbac import service as rbac_service
from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import Tenant
from chalicelib.user import passwords, store
from chalicelib.user.schemas import PasswordChange, ProfileUpdate, SetupAdmin, Signup, UserCreate, UserUpdate


def _new_user(*, username: str, email: str, password_hash: str | None, role: str, first_name: str | None,
              last_name: str | None) -> dict[str, Any]:
    now = clock.iso(clock.now())
    return {"user_id": ids.new_id(), "username": username, "email": email, "first_name": first_name, "last_name": last_name,
            "password_hash": password_hash, "role": role, "is_active": True, "auth_source": "local",
            "created_at": now, "updated_at": now}


def needs_setup(tenant: Tenant) -> bool:
    """Tell whether the tenant still has no users (first-time setup pending)."""
    return not store.has_users(tenant.tenant_id)


def setup_admin(tenant: Tenant, data: SetupAdmin) -> dict[str, Any]:
    """Create the tenant's first user, always superadmin whatever role was sent (D24.4)."""
    if not needs_setup(tenant):
        raise errors.Conflict("Setup has already been completed")
    tenant_service.check_setup_link(tenant, data.setup_token)
    passwords.check_policy(data.password, tenant.settings.password_policy)
    user = _new_user(username=data.username, email=data.email, password_hash=passwords.hash_password(data.password),
                     role=perms.SUPERADMIN, first_name=data.first_name, last_name=data.last_name)
    store.put_new(tenant.tenant_id, user, only_if_first=True)
    tenant_service.clear_setup_link(tenant.tenant_id)
    return user


def signup(tenant: Tenant, data: Signup) -> dict[str, Any]:
    """Self-register with the tenant's default role, when the tenant allows it (D24.14)."""
    if not tenant.settings.signup_enabled:
        raise errors.Forbidden("User signup is disabled")
    passwords.check_policy(data.password, tenant.settings.password_policy)
    role = tenant.settings.default_user_role
    if role in perms.PRIVILEGED_ROLES or not rbac_service.exists(tenant.tenant_id, role):
        role = perms.USER
    user = _new_user(username=data.username, email=data.email, password_hash=passwords.hash_password(data.password),
                     role=role, first_name=data.first_name, last_name=data.last_name)
    store.put_new(tenant.tenant_id, user)
    return user


def authenticate(tenant: Tenant, *, login: str, password: str) -> tuple[dict[str, Any] | None, str | None]:
    """Return the user whose username or email and password match (else None; same cost either way), and the id of
    the user the login names whether or not the password matched (None for no such user), for the audit log."""
    login = login.strip()
    user_id = store.user_id_by(tenant.tenant_id, email=login) if "@" in login else store.user_id_by(tenant.tenant_id, username=login)
    user = store.get(tenant.tenant_id, user_id) if user_id else None
    if not passwords.verify(user.get("password_hash") if user else None, password) or user is None:
        return None, user["user_id"] if user else None
    return user, user["user_id"]


def find(tenant_id: str, user_id: str) -> dict[str, Any] | None:
    """Return a user record or None."""
    return store.get(tenant_id, user_id)


def get_self(ctx: TenantContext) -> dict[str, Any]:
    """Return the signed-in user's record."""
    return _get(ctx, ctx.user_id or "")


def _get(ctx: TenantContext, user_id: str) -> dict[str, Any]:
    user = store.get(ctx.tenant_id, user_id)
    if user is None:
        raise errors.NotFound("User not found")
    return user


def get(ctx: TenantContext, *, user_id: str) -> dict[str, Any]:
    """Return a user of the tenant; NotFound otherwise."""
    return _get(ctx, user_id)


def list_(ctx: TenantContext) -> list[dict[str, Any]]:
    """Return the tenant's users sorted by username."""
    return sorted(store.list_all(ctx.tenant_id), key=lambda u: u["username"].lower())


def verify_password(ctx: TenantContext, *, password: str) -> bool:
    """Check the signed-in user's password."""
    return passwords.verify(get_self(ctx).get("password_hash"), password)


def record_login(tenant_id: str, user_id: str) -> None:
    store.touch_login(tenant_id, user_id, clock.iso(clock.now()))


def count_role(tenant_id: str, role: str, *, active_only: bool = True) -> int:
    """Count users holding a role."""
    return sum(1 for u in store.list_all(tenant_id) if u["role"] == role and (u.get("is_active", True) or not active_only))


def _require_manage(ctx: TenantContext, target: dict[str, Any]) -> None:
    if not perms.may_manage(actor_role=ctx.role or "", actor_permissions=ctx.permissions, target_role=target["role"]):
        raise errors.Forbidden("You do not have permission to manage this user")


def _require_assign(ctx: TenantContext, role: str) -> None:
    if not rbac_service.exists(ctx.tenant_id, role):
        raise errors.InvalidInput(f"Unknown role: {role}")
    if not perms.may_assign(actor_role=ctx.role or "", actor_permissions=ctx.permissions, target_role=role):
        raise errors.Forbidden(f"You do not have permission to assign the role: {role}")


def _guard_last_privileged(ctx: TenantContext, target: dict[str, Any], *, losing: str) -> None:
    """Keep at least one active superadmin, and an admin when no superadmin exists (D24.18)."""
    if target["role"] == perms.SUPERADMIN and count_role(ctx.tenant_id, perms.SUPERADMIN) <= 1:
        raise errors.Conflict(f"Cannot {losing} the last superadmin user")
    if target["role"] == perms.ADMIN and count_role(ctx.tenant_id, perms.SUPERADMIN) == 0 and count_role(ctx.tenant_id, perms.ADMIN) <= 1:
        raise errors.Conflict(f"Cannot {losing} the last admin user")


def create(ctx: TenantContext, data: UserCreate, *, policy: Any) -> dict[str, Any]:
    """Create a user (active at once) with a role no more privileged than the creator may give."""
    _require_assign(ctx, data.role)
    passwords.check_policy(data.password, policy)
    user = _new_user(username=data.username, email=data.email, password_hash=passwords.hash_password(data.password),
                     role=data.role, first_name=data.first_name, last_name=data.last_name)
    store.put_new(ctx.tenant_id, user)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="user_created", target_type="user", target_id=user["user_id"],
                 details={"username": user["username"], "role": user["role"]})
    return user


def update(ctx: TenantContext, *, user_id: str, data: UserUpdate) -> tuple[dict[str, Any], bool]:
    """Change a user; returns (user, sessions_must_end) — a role change or deactivation ends every session."""
    target = _get(ctx, user_id)
    _require_manage(ctx, target)
    changes = data.model_dump(exclude_none=True)
    if "role" in changes and changes["role"] != target["role"]:
        if user_id == ctx.user_id:
            raise errors.Forbidden("Cannot change your own role")
        _require_assign(ctx, changes["role"])
        _guard_last_privileged(ctx, target, losing="demote")
    if changes.get("is_active") is False and target.get("is_active", True):
        if user_id == ctx.user_id:
            raise errors.Forbidden("Cannot deactivate your own account")
        _guard_last_privileged(ctx, target, losing="deactivate")
    updated = {**target, **changes, "updated_at": clock.iso(clock.now())}
    store.replace(ctx.tenant_id, updated, expected_updated_at=target["updated_at"], previous=target)
    ends_sessions = updated["role"] != target["role"] or (target.get("is_active", True) and not updated["is_active"])
    audit.record(ctx, tenant_id=ctx.tenant_id, action="user_updated", target_type="user", target_id=user_id,
                 details={"fields": sorted(changes), "role": updated["role"], "is_active": updated["is_active"]})
    return updated, bool(ends_sessions)


def reset_password(ctx: TenantContext, *, user_id: str, new_password: str, policy: Any) -> dict[str, Any]:
    """Set another user's password (not for inactive users); sessions and trusted devices end, 2FA stays (D24.16)."""
    target = _get(ctx, user_id)
    _require_manage(ctx, target)
    if not target.get("is_active", True):
        raise errors.InvalidInput("Cannot reset the password of an inactive user; reactivate the user first")
    passwords.check_policy(new_password, policy)
    updated = {**target, "password_hash": passwords.hash_password(new_password), "updated_at": clock.iso(clock.now())}
    store.replace(ctx.tenant_id, updated, expected_updated_at=target["updated_at"])
    audit.record(ctx, tenant_id=ctx.tenant_id, action="user_password_reset", target_type="user", target_id=user_id)
    return updated


def delete(ctx: TenantContext, *, user_id: str) -> dict[str, Any]:
    """Delete a user (not yourself, not the last superadmin or last admin, not a higher rank)."""
    target = _get(ctx, user_id)
    if user_id == ctx.user_id:
        raise errors.Forbidden("Cannot delete your own account")
    _require_manage(ctx, target)
    _guard_last_privileged(ctx, target, losing="delete")
    store.delete(ctx.tenant_id, target)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="user_deleted", target_type="user", target_id=user_id,
                 details={"username": target["username"]})
    return target


def update_profile(ctx: TenantContext, data: ProfileUpdate) -> dict[str, Any]:
    """Change the signed-in user's own details."""
    current = get_self(ctx)
    changes = data.model_dump(exclude_none=True)
    updated = {**current, **changes, "updated_at": clock.iso(clock.now())}
    store.replace(ctx.tenant_id, updated, expected_updated_at=current["updated_at"], previous=current)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="profile_updated", target_type="user", target_id=ctx.user_id,
                 details={"fields": sorted(changes)})
    return updated


def change_password(ctx: TenantContext, data: PasswordChange, *, policy: Any) -> None:
    """Change the signed-in user's password after checking the current one."""
    current = get_self(ctx)
    if not current.get("password_hash"):
        raise errors.InvalidInput("This account signs in through SSO and has no password")
    if not passwords.verify(current["password_hash"], data.current_password):
        audit.record(ctx, tenant_id=ctx.tenant_id, action="password_change", outcome="failure", target_type="user", target_id=ctx.user_id)
        raise errors.Unauthenticated("Current password is incorrect", code="invalid_password")
    passwords.check_policy(data.new_password, policy)
    updated = {**current, "password_hash": passwords.hash_password(data.new_password), "updated_at": clock.iso(clock.now())}
    store.replace(ctx.tenant_id, updated, expected_updated_at=current["updated_at"])
    audit.record(ctx, tenant_id=ctx.tenant_id, action="password_changed", target_type="user", target_id=ctx.user_id)
