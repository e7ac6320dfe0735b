"""Trusted devices: "remember this computer" lets a known browser skip the second factor (D25.10-D25.15).

Trust is keyed only on (user, hash of the cookie), never bound to IP or user agent (D25.11); the IP and
user agent are kept for the user's list. Only the SHA-256 of the cookie is stored.
"""
from __future__ import annotations

import base64
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.audit import service as audit_service
from chalicelib.core import clock, crypto, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.tenant.schemas import SecuritySettings
from chalicelib.tfa import store

_MAX_USER_AGENT = 512
_MAX_COOKIE = 128  # a real value is 43 characters; anything far longer is not ours
_DEVICE_ID_RE = re.compile(r"^[0-9a-f]{16}$")
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("CrOS", "ChromeOS"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def trust(tenant_id: str, user_id: str, *, ip: str, user_agent: str, settings: SecuritySettings) -> tuple[str, int]:
    """Trust this browser; return the cookie value and its max-age in seconds, evicting the oldest beyond the cap."""
    cookie_value = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    now = clock.now()
    lifetime = timedelta(days=settings.tfa_remember_me_days)
    user_agent = (user_agent or "")[:_MAX_USER_AGENT]
    store.put_device(tenant_id, user_id, {
        "token_hash": crypto.sha256_hex(cookie_value), "device_id": secrets.token_hex(8), "user_id": user_id,
        "label": device_label(user_agent), "user_agent": user_agent, "ip_address": ip,
        "created_at": clock.iso(now), "last_used_at": clock.iso(now), "expires_at": clock.epoch_seconds(now + lifetime),
    })
    _evict(tenant_id, user_id, keep=settings.tfa_max_remember_sessions)
    logger.info("trusted device added", extra={"tenant_id": tenant_id, "user_id": user_id})
    return cookie_value, int(lifetime.total_seconds())


def is_trusted(tenant_id: str, user_id: str, cookie_value: str | None, *, ip: str) -> bool:
    """Tell whether the cookie names an unexpired device of this user; a hit bumps its last use and IP."""
    if not cookie_value or len(cookie_value) > _MAX_COOKIE:
        return False
    token_hash = crypto.sha256_hex(cookie_value)
    device = store.get_device(tenant_id, user_id, token_hash)
    if device is None or not _alive(device, clock.now()):
        return False
    return store.touch_device(tenant_id, user_id, token_hash, at=clock.iso(clock.now()), ip=ip)


def list_(ctx: TenantContext, *, current_cookie: str | None) -> list[dict[str, Any]]:
    """Return the signed-in user's unexpired devices, most recently used first, marking this browser's."""
    current_hash = crypto.sha256_hex(current_cookie) if current_cookie else None
    now = clock.now()
    devices = [d for d in store.query_devices(ctx.tenant_id, _user(ctx)) if _alive(d, now)]
    devices.sort(key=lambda d: d["last_used_at"], reverse=True)
    return [_read(d, is_current=current_hash is not None and crypto.equal(d["token_hash"], current_hash)) for d in devices]


def revoke(ctx: TenantContext, *, device_id: str, current_cookie: str | None = None) -> bool:
    """Revoke one of the signed-in user's devices; return True when it was this browser's (so its cookie goes too)."""
    devices = store.query_devices(ctx.tenant_id, _user(ctx)) if _DEVICE_ID_RE.match(device_id) else []
    device = next((d for d in devices if d.get("device_id") == device_id), None)
    if device is None:
        raise errors.NotFound("Trusted device not found")
    store.delete_devices(ctx.tenant_id, _user(ctx), [device["token_hash"]])
    audit_service.record(ctx, tenant_id=ctx.tenant_id, action="trusted_device_revoked", target_type="trusted_device", target_id=device_id)
    return bool(current_cookie) and crypto.equal(crypto.sha256_hex(current_cookie or ""), device["token_hash"])


def revoke_all(tenant_id: str, user_id: str, *, ctx: TenantContext | None = None) -> int:
    """Revoke every device of a user and return how many there were; audited when a signed-in `ctx` asked."""
    token_hashes = [d["token_hash"] for d in store.query_devices(tenant_id, user_id)]
    store.delete_devices(tenant_id, user_id, token_hashes)
    if ctx is not None:
        audit_service.record(ctx, tenant_id=tenant_id, action="trusted_devices_revoked", target_type="user", target_id=user_id,
                             details={"count": len(token_hashes)})
    logger.info("trusted devices revoked", extra={"tenant_id": tenant_id, "user_id": user_id, "count": len(token_hashes)})
    return len(token_hashes)


def device_label(user_agent: str) -> str:
    """Return a best-effort "Browser on OS" label for a user agent."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser is None and system is None:
        return "Unknown device"
    return f"{browser or 'Unknown browser'} on {system or 'unknown OS'}"


def _evict(tenant_id: str, user_id: str, *, keep: int) -> None:
    now = clock.now()
    devices = store.query_devices(tenant_id, user_id)
    alive = sorted((d for d in devices if _alive(d, now)), key=lambda d: d["created_at"], reverse=True)
    doomed = [d for d in devices if not _alive(d, now)] + alive[keep:]
    if doomed:
        store.delete_devices(tenant_id, user_id, [d["token_hash"] for d in doomed])


def _alive(device: dict[str, Any], now: datetime) -> bool:
    # DynamoDB TTL deletes up to days late, so expiry is checked on every read.
    return int(device["expires_at"]) > clock.epoch_seconds(now)


def _read(device: dict[str, Any], *, is_current: bool) -> dict[str, Any]:
    return {
        "id": device["device_id"], "label": device["label"], "user_agent": device["user_agent"], "ip_address": device["ip_address"],
        "created_at": device["created_at"], "last_used_at": device["last_used_at"],
        "expires_at": clock.iso(datetime.fromtimestamp(int(device["expires_at"]), UTC)), "is_current": is_current,
    }


def _user(ctx: TenantContext) -> str:
    if not ctx.user_id:
        raise errors.Unauthenticated("Sign in required")
    return ctx.user_id
