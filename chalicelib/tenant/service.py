"""Tenants: creation, lookup by slug (with a short in-process cache), plans, suspension, settings."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from chalicelib.audit import service as audit
from chalicelib.core import clock, crypto, errors, ids
from chalicelib.core.observability import logger
from chalicelib.core.settings import get_settings
from chalicelib.ratelimit import service as ratelimit
from chalicelib.rbac import permissions as perms
from chalicelib.rbac import service as rbac_service
from chalicelib.tenant import plans, store
from chalicelib.tenant.schemas import (
    OrganisationSignup,
    SecuritySettings,
    SetupLink,
    Tenant,
    TenantCreate,
    TenantRead,
    TenantUpdate,
)

# Every request resolves its tenant; a warm Lambda keeps the answer briefly so this costs no read.
# A suspension therefore takes effect within CACHE_SECONDS on every instance.
CACHE_SECONDS = 30.0
SIGNUP_COUNTER_TENANT = "_signup"  # sign-ups belong to no tenant yet; their rate counters live here
SETUP_LINK_DAYS = 7
SETUP_LINK_REQUIRED = "This organisation is set up through the setup link its provider sent; open that link, or ask them for a new one"
SETUP_LINK_EXPIRED = "This setup link has expired; ask your provider for a new one"
_cache: dict[str, tuple[float, Tenant | None]] = {}


def _to_tenant(item: dict[str, Any]) -> Tenant:
    return Tenant.model_validate(store.strip_keys(item))


def read_model(tenant: Tenant) -> TenantRead:
    """Return the operator-facing view of a tenant."""
    return TenantRead(tenant_id=tenant.tenant_id, slug=tenant.slug, name=tenant.name, plan=tenant.plan,
                      modules=sorted(modules(tenant)), host_limit=tenant.host_limit, status=tenant.status,
                      created_at=tenant.created_at, updated_at=tenant.updated_at)


def modules(tenant: Tenant) -> frozenset[str]:
    """Return the capability modules the tenant's plan includes."""
    return plans.modules_for(tenant.plan, tenant.custom_modules)


def create(data: TenantCreate, **stored: Any) -> Tenant:
    """Create a tenant; Conflict when the slug is taken."""
    now = clock.iso(clock.now())
    tenant = Tenant(tenant_id=ids.new_id(), slug=data.slug, name=data.name, plan=data.plan,
                    custom_modules=data.custom_modules or [], created_at=now, updated_at=now,
                    host_limit=data.host_limit if data.host_limit is not None else plans.DEFAULT_HOST_LIMITS.get(data.plan, 100),
                    **stored)
    store.put_new(tenant.model_dump())
    logger.info("tenant created", extra={"tenant_id": tenant.tenant_id, "slug": tenant.slug})
    return tenant


def _new_setup_link() -> tuple[SetupLink, dict[str, str]]:
    token = crypto.random_token(32)
    expires_at = clock.iso(clock.now() + timedelta(days=SETUP_LINK_DAYS))
    return SetupLink(setup_token=token, expires_at=expires_at), {"setup_link_sha256": crypto.sha256_hex(token),
                                                                  "setup_link_expires_at": expires_at}


def create_with_setup_link(data: TenantCreate) -> tuple[Tenant, SetupLink]:
    """Create a tenant (the operator's way) whose first-time setup needs the returned link: never open to whoever comes first."""
    link, stored = _new_setup_link()
    tenant = create(data, **stored)
    audit.record(None, tenant_id=tenant.tenant_id, action="setup_link_issued", target_type="tenant", target_id=tenant.tenant_id,
                 actor="operator", details={"expires_at": link.expires_at})
    return tenant, link


def issue_setup_link(tenant_id: str) -> SetupLink:
    """Replace the tenant's setup link (the old one stops working); Conflict once its first user exists."""
    from chalicelib.user import service as user_service

    current = get(tenant_id)
    if not user_service.needs_setup(current):
        raise errors.Conflict("Setup has already been completed")
    link, stored = _new_setup_link()
    _replace(current, stored)
    audit.record(None, tenant_id=tenant_id, action="setup_link_issued", target_type="tenant", target_id=tenant_id,
                 actor="operator", details={"expires_at": link.expires_at})
    return link


def check_setup_link(tenant: Tenant, token: str | None) -> None:
    """Forbidden unless first-time setup needs no link or `token` is the tenant's current, unexpired one."""
    current = get(tenant.tenant_id)  # not the cached copy: a link just reissued elsewhere counts at once
    if current.setup_link_sha256 is None:
        return
    if not token or not crypto.equal(crypto.sha256_hex(token), current.setup_link_sha256):
        raise errors.Forbidden(SETUP_LINK_REQUIRED)
    if (current.setup_link_expires_at or "") <= clock.iso(clock.now()):
        raise errors.Forbidden(SETUP_LINK_EXPIRED)


def clear_setup_link(tenant_id: str) -> None:
    """Forget a used setup link (best effort: once a user exists, setup is closed whatever the record says)."""
    current = get(tenant_id)
    if current.setup_link_sha256 is not None:
        try:
            _replace(current, {"setup_link_sha256": None, "setup_link_expires_at": None})
        except errors.Conflict:
            logger.info("setup link left to be cleared later", extra={"tenant_id": tenant_id})


def _replace(current: Tenant, changes: dict[str, Any]) -> Tenant:
    updated = current.model_copy(update={**changes, "updated_at": clock.iso(clock.now())})
    store.replace(updated.model_dump(), expected_updated_at=current.updated_at)
    _cache.pop(updated.slug, None)
    _by_id.pop(updated.tenant_id, None)  # this instance sees the change at once; others within CACHE_SECONDS
    return updated


def get(tenant_id: str) -> Tenant:
    """Return a tenant; NotFound if there is none."""
    item = store.get(tenant_id)
    if item is None:
        raise errors.NotFound("Tenant not found")
    return _to_tenant(item)


def find_by_slug(slug: str, *, fresh: bool = False) -> Tenant | None:
    """Return the tenant with this slug, or None (cached for CACHE_SECONDS unless `fresh`)."""
    cached = _cache.get(slug)
    if cached and not fresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    tenant_id = store.tenant_id_for_slug(slug)
    item = store.get(tenant_id) if tenant_id else None
    tenant = _to_tenant(item) if item else None
    if tenant is not None:  # a miss is not cached: a tenant created elsewhere must be reachable at once
        _cache[slug] = (time.monotonic(), tenant)
    return tenant


_by_id: dict[str, tuple[float, Tenant]] = {}


def find_by_slug_or_id(tenant_id: str) -> Tenant | None:
    """Return a tenant by id, cached like slugs (agents name their tenant by id, through their credentials)."""
    cached = _by_id.get(tenant_id)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    item = store.get(tenant_id)
    if item is None:
        return None
    tenant = _to_tenant(item)
    _by_id[tenant_id] = (time.monotonic(), tenant)
    return tenant


def get_by_slug(slug: str) -> Tenant:
    """Return the tenant with this slug; NotFound if there is none."""
    tenant = find_by_slug(slug, fresh=True)
    if tenant is None:
        raise errors.NotFound("Tenant not found")
    return tenant


def list_(*, limit: int, cursor: str | None) -> tuple[list[Tenant], str | None]:
    """Return a page of tenants sorted by slug."""
    items, next_cursor = store.list_page(limit=limit, cursor=cursor)
    return [_to_tenant(i) for i in items], next_cursor


def update(tenant_id: str, data: TenantUpdate) -> Tenant:
    """Change a tenant's name, plan, modules, host limit or status."""
    current = get(tenant_id)
    changes = data.model_dump(exclude_none=True)
    if changes.get("plan", current.plan) != plans.CUSTOM_PLAN and data.custom_modules is not None:
        raise errors.InvalidInput("custom_modules applies to the custom plan only")
    updated = _replace(current, changes)
    logger.info("tenant updated", extra={"tenant_id": tenant_id, "fields": sorted(changes)})
    audit.record(None, tenant_id=tenant_id, action="tenant_updated", target_type="tenant", target_id=tenant_id, actor="operator",
                 details={k: v for k, v in changes.items() if k in ("plan", "custom_modules", "host_limit", "status", "name")})
    return updated


def update_settings(tenant_id: str, settings: SecuritySettings) -> Tenant:
    """Replace a tenant's security settings."""
    role = settings.default_user_role
    if role in perms.PRIVILEGED_ROLES or not rbac_service.exists(tenant_id, role):
        raise errors.InvalidInput("default_user_role must be an existing role below admin")
    return _replace(get(tenant_id), {"settings": settings})


def ensure(slug: str, *, name: str, plan: str) -> Tenant:
    """Return the tenant with this slug, creating it if needed (the local stack's default tenant)."""
    existing = find_by_slug(slug, fresh=True)
    if existing:
        return existing
    try:
        return create(TenantCreate(slug=slug, name=name, plan=plan))
    except errors.Conflict:
        return get_by_slug(slug)


def clear_cache() -> None:
    """Forget cached tenants (tests)."""
    _cache.clear()
    _by_id.clear()


def signup_organisation(data: OrganisationSignup, *, client_ip: str) -> tuple[Tenant, dict[str, Any]]:
    """Create a tenant on the free plan and its superadmin, when self-service sign-up is switched on."""
    from chalicelib.user import service as user_service
    from chalicelib.user.passwords import check_policy
    from chalicelib.user.schemas import SetupAdmin

    if not get_settings().tenant_signup_enabled:
        raise errors.Forbidden("Organisation sign-up is disabled")
    ratelimit.hit(SIGNUP_COUNTER_TENANT, category="tenant_signup", client=client_ip or "unknown", limit=5, window_seconds=3600)
    try:
        admin = SetupAdmin(username=data.username, email=data.email, password=data.password)
    except ValidationError as exc:
        raise errors.InvalidInput(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    check_policy(data.password, SecuritySettings().password_policy)  # before anything is written
    tenant = create(TenantCreate(slug=data.slug, name=data.name, plan="free"))
    user = user_service.setup_admin(tenant, admin)
    audit.record(None, tenant_id=tenant.tenant_id, action="organisation_signup", target_type="tenant", target_id=tenant.tenant_id,
                 actor_user_id=user["user_id"], source_ip=client_ip)
    return tenant, user
