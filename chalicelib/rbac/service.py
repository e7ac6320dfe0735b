"""Roles and their permissions: the five built-ins (three locked) and custom roles (module rbac_custom)."""
from __future__ import annotations

import re
from typing import Any

from chalicelib.audit import service as audit
from chalicelib.core import clock, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.rbac import permissions as perms
from chalicelib.rbac import store

ROLE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def permissions_for(tenant_id: str, role: str) -> frozenset[str]:
    """Return a role's permissions, read on every request so edits apply at once (D24.19).

    Admin and superadmin short-circuit to every permission whatever is stored.
    """
    if role in perms.LOCKED_ROLES:
        return perms.BUILTIN_ROLES[role]
    item = store.get(tenant_id, role)
    if item is not None:
        return frozenset(item.get("permissions", ())) & perms.ALL
    return perms.BUILTIN_ROLES.get(role, frozenset())


def exists(tenant_id: str, role: str) -> bool:
    """Tell whether a role can be assigned in this tenant."""
    return perms.is_builtin(role) or store.get(tenant_id, role) is not None


def list_(ctx: TenantContext) -> list[dict[str, Any]]:
    """Return every role of the tenant with its permissions, built-ins first."""
    stored = {i["role"]: i for i in store.list_all(ctx.tenant_id)}
    roles = []
    for role in perms.BUILTIN_ROLES:
        roles.append(_view(role, permissions_for(ctx.tenant_id, role) if role not in stored else frozenset(stored[role]["permissions"]),
                           builtin=True))
    for role, item in sorted(stored.items()):
        if role not in perms.BUILTIN_ROLES:
            roles.append(_view(role, frozenset(item.get("permissions", ())), builtin=False, label=item.get("label")))
    return roles


def get(ctx: TenantContext, *, role: str) -> dict[str, Any]:
    """Return one role; NotFound if the tenant has no such role."""
    if perms.is_builtin(role):
        return _view(role, permissions_for(ctx.tenant_id, role), builtin=True)
    item = store.get(ctx.tenant_id, role)
    if item is None:
        raise errors.NotFound("Role not found")
    return _view(role, frozenset(item.get("permissions", ())), builtin=False, label=item.get("label"))


def upsert(ctx: TenantContext, *, role: str, permissions: list[str], label: str | None = None) -> dict[str, Any]:
    """Create a custom role or change the permissions of an editable one."""
    if role in perms.LOCKED_ROLES:
        raise errors.Forbidden("Cannot modify built-in role permissions")
    if not ROLE_KEY_RE.match(role):
        raise errors.InvalidInput("Role name must be lowercase letters, digits and underscores, starting with a letter")
    unknown = sorted(set(permissions) - perms.ALL)
    if unknown:
        raise errors.InvalidInput(f"Unknown permissions: {', '.join(unknown)}")
    existing = store.get(ctx.tenant_id, role)
    now = clock.iso(clock.now())
    item = {"role": role, "permissions": sorted(set(permissions)), "label": label or (existing or {}).get("label") or role,
            "created_at": (existing or {}).get("created_at", now), "updated_at": now}
    store.put(ctx.tenant_id, item, create=False)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="role_created" if existing is None and not perms.is_builtin(role) else "role_updated",
                 target_type="role", target_id=role, details={"permissions": item["permissions"]})
    return _view(role, frozenset(item["permissions"]), builtin=perms.is_builtin(role), label=item["label"])


def delete(ctx: TenantContext, *, role: str, holders: int) -> None:
    """Delete a custom role nobody holds."""
    if perms.is_builtin(role):
        raise errors.Forbidden("Cannot delete built-in roles")
    if store.get(ctx.tenant_id, role) is None:
        raise errors.NotFound("Role not found")
    if holders:
        raise errors.Conflict("Cannot delete role: users are assigned to it")
    store.delete(ctx.tenant_id, role)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="role_deleted", target_type="role", target_id=role)


def _view(role: str, granted: frozenset[str], *, builtin: bool, label: str | None = None) -> dict[str, Any]:
    return {
        "role": role,
        "label": perms.ROLE_LABELS.get(role, label or role),
        "builtin": builtin,
        "locked": role in perms.LOCKED_ROLES,
        "rank": perms.rank(role),
        "permissions": {p.key: p.key in granted for p in perms.PERMISSIONS},
        "granted": len(granted),
        "total": len(perms.PERMISSIONS),
    }


def catalogue() -> list[dict[str, Any]]:
    """Return the permission catalogue grouped by tier, with labels and descriptions (for the matrix)."""
    return [{"tier": tier, "label": label, "risk": risk, "description": description,
             "permissions": [{"key": p.key, "label": p.label, "description": p.description} for p in perms.PERMISSIONS if p.tier == tier]}
            for tier, (label, risk, description) in perms.TIERS.items()]
