"""Who is calling: the tenant (from the host name) and the user (from a bearer token or cookie).

This is the one place that builds a TenantContext for web requests. Another tenant's token, a
revoked or idle session, an inactive user, or a cookie-authenticated write without the CSRF
header are all refused here, before any view runs.
"""
from __future__ import annotations

from chalicelib.auth import service as auth_service
from chalicelib.auth import tokens
from chalicelib.core import crypto, errors
from chalicelib.core.settings import get_settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.rbac import service as rbac_service
from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import Tenant
from chalicelib.user import service as user_service
from chalicelib.web import cookies

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def slug_for_host(host: str | None) -> str | None:
    """Return the tenant slug a Host header names: `{slug}.{base domain}`, or the default tenant at the base domain."""
    settings = get_settings()
    name = (host or settings.base_domain).split(":")[0].strip().lower().rstrip(".")
    if name in (settings.base_domain, "127.0.0.1", "::1", "[::1]") or not name:
        return settings.default_tenant_slug or None
    suffix = "." + settings.base_domain
    if name.endswith(suffix) and "." not in name[: -len(suffix)]:
        return name[: -len(suffix)]
    return None


def resolve_tenant(host: str | None) -> Tenant:
    """Return the active tenant of this host; 404 if there is none, 403 if it is suspended."""
    slug = slug_for_host(host)
    tenant = tenant_service.find_by_slug(slug) if slug else None
    if tenant is None:
        raise errors.NotFound("Tenant not found", code="tenant_not_found")
    if tenant.status != "active":
        raise errors.Forbidden("This organisation's account is suspended", code="tenant_suspended")
    return tenant


def authenticate_user(tenant: Tenant, *, headers: dict[str, str], cookie_jar: dict[str, str], method: str,
                      source_ip: str) -> TenantContext:
    """Return the context of the signed-in user of this tenant, or raise Unauthenticated/Forbidden."""
    authorization = headers.get("authorization", "")
    via_cookie = False
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    else:
        token = cookie_jar.get(cookies.ACCESS, "")
        via_cookie = True
    if not token:
        raise errors.Unauthenticated("Authentication required", code="unauthenticated")
    claims = tokens.decode(token, typ=tokens.ACCESS)
    if claims["tid"] != tenant.tenant_id:
        raise errors.Unauthenticated("Invalid token", code="invalid_token")
    if via_cookie and method not in SAFE_METHODS:
        require_csrf(headers, cookie_jar)
    session = auth_service.validate_session(tenant, claims)
    user = user_service.find(tenant.tenant_id, claims["sub"])
    if user is None or not user.get("is_active", True):
        raise errors.Unauthenticated("Session expired or revoked", code="session_revoked")
    return TenantContext(
        tenant_id=tenant.tenant_id, principal=f"user:{user['user_id']}", user_id=user["user_id"], role=user["role"],
        permissions=rbac_service.permissions_for(tenant.tenant_id, user["role"]), modules=tenant_service.modules(tenant),
        session_id=session["session_id"], source_ip=source_ip, user_agent=headers.get("user-agent", "")[:256],
    )


def require_csrf(headers: dict[str, str], cookie_jar: dict[str, str]) -> None:
    """Double-submit check for cookie-authenticated writes: the header must echo the csrf cookie."""
    expected = cookie_jar.get(cookies.CSRF, "")
    given = headers.get(cookies.CSRF_HEADER, "")
    if not expected or not given or not crypto.equal(expected, given):
        raise errors.Forbidden("Invalid or missing CSRF token", code="csrf_failed")


def authenticate_operator(headers: dict[str, str]) -> None:
    """Accept only the SaaS operator's key (its SHA-256 is configured; the key itself never is)."""
    expected = get_settings().operator_key_sha256
    given = headers.get("x-operator-key", "")
    if not expected or not given or not crypto.equal(crypto.sha256_hex(given), expected):
        raise errors.Unauthenticated("Operator authentication required", code="operator_unauthenticated")


def authenticate_agent(headers: dict[str, str], *, source_ip: str) -> tuple[Tenant, TenantContext, dict]:
    """Return the tenant, context and record of the agent whose X-API-ID / X-API-KEY these are.

    The api_id index is global (it names the tenant); this is the only place that reads it.
    A request sent to another tenant's host name than the credentials' is refused.
    """
    from chalicelib.host import credentials
    from chalicelib.host import service as host_service

    api_id, api_key = headers.get("x-api-id", "").strip(), headers.get("x-api-key", "").strip()
    if not api_id or not api_key:
        raise errors.Unauthenticated("API credentials required", code="unauthenticated")
    agent = host_service.find_agent(api_id) if len(api_id) <= 64 else None
    if agent is None or not credentials.matches(api_key, agent.get("key_hash", "")):
        raise errors.Unauthenticated("Invalid API credentials", code="invalid_credentials")
    tenant = tenant_service.find_by_slug_or_id(agent["tenant_id"])
    named = slug_for_host(headers.get("host"))
    if tenant is None or (named and named != tenant.slug and named != get_settings().default_tenant_slug):
        raise errors.Unauthenticated("Invalid API credentials", code="invalid_credentials")
    if tenant.status != "active":
        raise errors.Forbidden("This organisation's account is suspended", code="tenant_suspended")
    ctx = TenantContext(tenant_id=tenant.tenant_id, principal=f"agent:{api_id}", modules=tenant_service.modules(tenant),
                        source_ip=source_ip, user_agent=headers.get("user-agent", "")[:256])
    return tenant, ctx, agent
