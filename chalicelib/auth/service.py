"""Signing in and staying signed in: login (with lockout and the 2FA step), tokens, sessions, logout."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chalicelib.audit import service as audit
from chalicelib.auth import store, tokens
from chalicelib.core import clock, crypto, errors, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.ratelimit import service as ratelimit
from chalicelib.tenant.schemas import Tenant
from chalicelib.user import schemas as user_schemas
from chalicelib.user import service as user_service

TFA_TICKET_TTL = timedelta(minutes=5)
ACTIVITY_WRITE_INTERVAL = 60  # seconds: activity is recorded at most once a minute per session
INVALID_CREDENTIALS = "Invalid credentials"
LOCKED = "Account is temporarily locked due to too many failed login attempts. Please try again later."


@dataclass
class Client:
    """Where a request comes from."""

    ip: str = ""
    user_agent: str = ""
    device_trust_cookie: str | None = None


@dataclass
class SignIn:
    """The outcome of a successful sign-in: the response body and the cookies to set."""

    body: dict[str, Any]
    access_token: str = ""
    access_max_age: int = 0
    refresh_token: str = ""
    refresh_max_age: int = 0
    csrf_token: str = ""
    device_trust: tuple[str, int] | None = None
    extra_cookies: list[str] = field(default_factory=list)


def _tfa():
    from chalicelib.tfa import service as tfa_service  # the 2FA domain depends on users; import late

    return tfa_service


def _trusted_devices():
    from chalicelib.tfa import trusted_devices

    return trusted_devices


def _lock_name(login: str) -> str:
    return f"login#{ratelimit.subject_hash(login)}"


def login(tenant: Tenant, *, login: str, password: str, remember_me: bool, client: Client) -> SignIn:
    """Check credentials (locking the account after repeated failures) and start a session or the 2FA step."""
    settings = tenant.settings
    lock = _lock_name(login)
    ratelimit.check_lock(tenant.tenant_id, lock, message=LOCKED)
    user, named_user_id = user_service.authenticate(tenant, login=login, password=password)
    if user is None or not user.get("is_active", True):
        ratelimit.record_failure(tenant.tenant_id, lock, max_failures=settings.max_login_attempts,
                                 window_seconds=settings.lockout_duration_minutes * 60,
                                 lock_seconds=settings.lockout_duration_minutes * 60)
        # The audit log (administrators only) names the user a failed attempt was for; the answer below does not
        # tell whether the login names a user.
        audit.record(None, tenant_id=tenant.tenant_id, action="login", outcome="failure", target_type="user",
                     target_id=named_user_id, actor="anonymous", actor_user_id=named_user_id, source_ip=client.ip, user_agent=client.user_agent,
                     details={"reason": "inactive" if user else "invalid_credentials"})
        raise errors.Unauthenticated("Account is disabled" if user else INVALID_CREDENTIALS)
    ratelimit.clear(tenant.tenant_id, lock)
    trusted = bool(client.device_trust_cookie) and _trusted_devices().is_trusted(
        tenant.tenant_id, user["user_id"], client.device_trust_cookie or "", ip=client.ip)
    if _tfa().is_enabled(tenant.tenant_id, user["user_id"]) and not trusted:
        ticket = crypto.random_token(32)
        store.put_ticket(tenant.tenant_id, crypto.sha256_hex(ticket), {
            "user_id": user["user_id"], "remember_me": remember_me,
            "expires_at": clock.epoch_seconds(clock.now() + TFA_TICKET_TTL)})
        return SignIn(body={"message": "TFA verification required", "requiresTfa": True, "username": user["username"], "tfaTicket": ticket})
    return _start_session(tenant, user, remember_me=remember_me, client=client, via="password+trusted_device" if trusted else "password")


def verify_tfa(tenant: Tenant, *, ticket: str, code: str, remember_me: bool, client: Client) -> SignIn:
    """Complete a sign-in with a TOTP or backup code; optionally trust this device for the 2FA step."""
    now = clock.epoch_seconds(clock.now())
    pending = store.consume_ticket(tenant.tenant_id, crypto.sha256_hex(ticket), now_epoch=now) if ticket else None
    if pending is None:
        raise errors.Unauthenticated("Verification session expired. Please log in again.", code="tfa_ticket_invalid")
    user_id = pending["user_id"]
    try:
        _tfa().verify_login_code(tenant.tenant_id, user_id, code, settings=tenant.settings)
    except errors.DomainError:
        # A wrong code may be retried with the same ticket until the 2FA lockout; put it back.
        # (verify_login_code audits the failure with the attempts left.)
        store.put_ticket(tenant.tenant_id, crypto.sha256_hex(ticket), pending)
        raise
    user = user_service.find(tenant.tenant_id, user_id)
    if user is None or not user.get("is_active", True):
        raise errors.Unauthenticated(INVALID_CREDENTIALS)
    sign_in = _start_session(tenant, user, remember_me=bool(pending.get("remember_me")) or remember_me, client=client, via="password+tfa")
    if remember_me:
        sign_in.device_trust = _trusted_devices().trust(tenant.tenant_id, user_id, ip=client.ip, user_agent=client.user_agent,
                                                        settings=tenant.settings)
    return sign_in


def _start_session(tenant: Tenant, user: dict[str, Any], *, remember_me: bool, client: Client, via: str) -> SignIn:
    settings = tenant.settings
    now = clock.now()
    session_id = ids.new_id()
    refresh_ttl = timedelta(days=settings.remember_me_refresh_token_days if remember_me else settings.refresh_token_days)
    access_ttl = timedelta(minutes=settings.access_token_minutes)
    access, access_exp, _ = tokens.issue(tenant_id=tenant.tenant_id, user_id=user["user_id"], session_id=session_id,
                                         role=user["role"], typ=tokens.ACCESS, ttl=access_ttl)
    refresh, refresh_exp, refresh_jti = tokens.issue(tenant_id=tenant.tenant_id, user_id=user["user_id"], session_id=session_id,
                                                     role=user["role"], typ=tokens.REFRESH, ttl=refresh_ttl)
    store.put_session(tenant.tenant_id, {
        "session_id": session_id, "user_id": user["user_id"], "created_at": clock.iso(now), "last_activity_at": clock.iso(now),
        "last_activity_epoch": clock.epoch_seconds(now), "expires_at": clock.epoch_seconds(refresh_exp), "refresh_jti": refresh_jti,
        "remember_me": remember_me, "ip_address": client.ip, "user_agent": client.user_agent[:256],
    })
    user_service.record_login(tenant.tenant_id, user["user_id"])
    audit.record(None, tenant_id=tenant.tenant_id, action="login", target_type="user", target_id=user["user_id"],
                 actor_user_id=user["user_id"], source_ip=client.ip, user_agent=client.user_agent,
                 details={"via": via})
    body = {"message": "Login successful", "token": access, "refresh_token": refresh,
            "expires_in": int(access_ttl.total_seconds()), "expires_at": clock.iso(access_exp),
            "user": user_schemas.read(user, tfa_enabled=_tfa().is_enabled(tenant.tenant_id, user["user_id"]))}
    return SignIn(body=body, access_token=access, access_max_age=int(access_ttl.total_seconds()), refresh_token=refresh,
                  refresh_max_age=int(refresh_ttl.total_seconds()), csrf_token=crypto.random_token(24))


def setup_admin(tenant: Tenant, data: user_schemas.SetupAdmin, *, client: Client) -> SignIn:
    """First-time setup: create the superadmin and sign them in."""
    user = user_service.setup_admin(tenant, data)
    audit.record(None, tenant_id=tenant.tenant_id, action="setup_admin", target_type="user", target_id=user["user_id"],
                 actor_user_id=user["user_id"], source_ip=client.ip, user_agent=client.user_agent)
    return _start_session(tenant, user, remember_me=False, client=client, via="setup")


def signup(tenant: Tenant, data: user_schemas.Signup, *, client: Client) -> SignIn:
    """Self-registration (when enabled) and sign-in."""
    user = user_service.signup(tenant, data)
    audit.record(None, tenant_id=tenant.tenant_id, action="user_signup", target_type="user", target_id=user["user_id"],
                 actor_user_id=user["user_id"], source_ip=client.ip, user_agent=client.user_agent,
                 details={"role": user["role"]})
    return _start_session(tenant, user, remember_me=False, client=client, via="signup")


def validate_session(tenant: Tenant, claims: dict[str, Any]) -> dict[str, Any]:
    """Return the live session named by access-token claims; end it if idle too long (Unauthenticated)."""
    session = store.get_session(tenant.tenant_id, claims["sub"], claims["sid"])
    now = clock.now()
    now_epoch = clock.epoch_seconds(now)
    if session is None or session.get("revoked_at") or int(session["expires_at"]) <= now_epoch:
        raise errors.Unauthenticated("Session expired or revoked", code="session_revoked")
    idle = now_epoch - int(session["last_activity_epoch"])
    if idle > tenant.settings.session_inactivity_timeout_minutes * 60:
        store.revoke_session(tenant.tenant_id, claims["sub"], claims["sid"], at_iso=clock.iso(now), reason="inactivity")
        raise errors.Unauthenticated("Session expired due to inactivity", code="session_inactive")
    if idle >= ACTIVITY_WRITE_INTERVAL:
        store.touch_session(tenant.tenant_id, claims["sub"], claims["sid"], at_epoch=now_epoch, at_iso=clock.iso(now))
    return session


def refresh(tenant: Tenant, *, refresh_token: str) -> SignIn:
    """Exchange a refresh token for a new access token and a rotated refresh token.

    A refresh token used twice means it was copied: the session is revoked.
    """
    claims = tokens.decode(refresh_token, typ=tokens.REFRESH)
    if claims["tid"] != tenant.tenant_id:
        raise errors.Unauthenticated("Invalid token", code="invalid_token")
    session = validate_session(tenant, claims)
    user = user_service.find(tenant.tenant_id, claims["sub"])
    if user is None or not user.get("is_active", True):
        raise errors.Unauthenticated("Session expired or revoked", code="session_revoked")
    now = clock.now()
    remaining = timedelta(seconds=int(session["expires_at"]) - clock.epoch_seconds(now))
    new_refresh, _, new_jti = tokens.issue(tenant_id=tenant.tenant_id, user_id=user["user_id"], session_id=claims["sid"],
                                           role=user["role"], typ=tokens.REFRESH, ttl=remaining)
    if not store.rotate_refresh(tenant.tenant_id, user["user_id"], claims["sid"], old_jti=claims["jti"], new_jti=new_jti,
                                expires_at=int(session["expires_at"]), at_epoch=clock.epoch_seconds(now), at_iso=clock.iso(now)):
        store.revoke_session(tenant.tenant_id, user["user_id"], claims["sid"], at_iso=clock.iso(now), reason="refresh_token_reuse")
        audit.record(None, tenant_id=tenant.tenant_id, action="refresh_token_reuse", outcome="failure", target_type="session",
                     target_id=claims["sid"], actor_user_id=user["user_id"])
        raise errors.Unauthenticated("Session expired or revoked", code="session_revoked")
    access_ttl = timedelta(minutes=tenant.settings.access_token_minutes)
    access, access_exp, _ = tokens.issue(tenant_id=tenant.tenant_id, user_id=user["user_id"], session_id=claims["sid"],
                                         role=user["role"], typ=tokens.ACCESS, ttl=access_ttl)
    return SignIn(body={"token": access, "refresh_token": new_refresh, "expires_in": int(access_ttl.total_seconds()),
                        "expires_at": clock.iso(access_exp)},
                  access_token=access, access_max_age=int(access_ttl.total_seconds()), refresh_token=new_refresh,
                  refresh_max_age=int(remaining.total_seconds()), csrf_token=crypto.random_token(24))


def logout(ctx: TenantContext) -> None:
    """End the current session."""
    store.revoke_session(ctx.tenant_id, ctx.user_id or "", ctx.session_id or "", at_iso=clock.iso(clock.now()), reason="logout")
    audit.record(ctx, tenant_id=ctx.tenant_id, action="logout", target_type="session", target_id=ctx.session_id)


def heartbeat(ctx: TenantContext) -> None:
    """Record user activity now (the UI calls this while the user is active)."""
    now = clock.now()
    store.touch_session(ctx.tenant_id, ctx.user_id or "", ctx.session_id or "", at_epoch=clock.epoch_seconds(now), at_iso=clock.iso(now))


def list_sessions(ctx: TenantContext) -> list[dict[str, Any]]:
    """Return the signed-in user's live sessions, the current one marked."""
    now = clock.epoch_seconds(clock.now())
    sessions = [s for s in store.list_sessions(ctx.tenant_id, ctx.user_id or "") if not s.get("revoked_at") and int(s["expires_at"]) > now]
    return [{"id": s["session_id"], "created_at": s["created_at"], "last_activity": s["last_activity_at"],
             "ip_address": s.get("ip_address", ""), "user_agent": s.get("user_agent", ""), "remember_me": bool(s.get("remember_me")),
             "is_current": s["session_id"] == ctx.session_id} for s in sorted(sessions, key=lambda s: s["created_at"], reverse=True)]


def revoke_session(ctx: TenantContext, *, session_id: str) -> None:
    """End one of the signed-in user's sessions; NotFound for anything else."""
    if not store.revoke_session(ctx.tenant_id, ctx.user_id or "", session_id, at_iso=clock.iso(clock.now()), reason="revoked"):
        raise errors.NotFound("Session not found")
    audit.record(ctx, tenant_id=ctx.tenant_id, action="session_revoked", target_type="session", target_id=session_id)


def revoke_other_sessions(ctx: TenantContext) -> int:
    """End every session of the signed-in user but this one."""
    ended = revoke_user_sessions(ctx.tenant_id, ctx.user_id or "", reason="revoked_all", keep_session_id=ctx.session_id)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="sessions_revoked", target_type="user", target_id=ctx.user_id,
                 details={"revoked": ended})
    return ended


def revoke_user_sessions(tenant_id: str, user_id: str, *, reason: str, keep_session_id: str | None = None) -> int:
    """End every session of a user (but `keep_session_id`); returns how many ended."""
    at = clock.iso(clock.now())
    ended = 0
    for session in store.list_sessions(tenant_id, user_id):
        if session["session_id"] != keep_session_id and not session.get("revoked_at"):
            ended += store.revoke_session(tenant_id, user_id, session["session_id"], at_iso=at, reason=reason)
    return ended
