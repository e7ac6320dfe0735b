"""Cookies the API sets: HttpOnly auth tokens, the CSRF double-submit token, the device-trust token."""
from __future__ import annotations

from http.cookies import SimpleCookie

from chalicelib.core.settings import get_settings

ACCESS = "token"
REFRESH = "refresh_token"
CSRF = "csrf_token"
DEVICE_TRUST = "patchmon_device_trust"
CSRF_HEADER = "x-csrf-token"


def build(name: str, value: str, *, max_age: int, http_only: bool = True, path: str = "/") -> str:
    """Return a Set-Cookie value (SameSite=Lax; Secure unless the local stack runs on plain HTTP)."""
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if get_settings().cookie_secure:
        parts.append("Secure")
    return "; ".join(parts)


def clear(name: str, *, path: str = "/", http_only: bool = True) -> str:
    """Return a Set-Cookie value that deletes a cookie."""
    return build(name, "", max_age=0, http_only=http_only, path=path)


def parse(header: str | None) -> dict[str, str]:
    """Parse a Cookie request header; a malformed header yields no cookies rather than an error."""
    if not header:
        return {}
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # http.cookies raises CookieError and others on hostile input
        return {}
    return {name: morsel.value for name, morsel in jar.items()}
