"""JWT access and refresh tokens (HS256), signed with a key kept in Secrets Manager."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jwt

from chalicelib.core import clock, crypto, errors, ids
from chalicelib.core.settings import get_settings

ISSUER = "patchmon-cloud"
ACCESS, REFRESH = "access", "refresh"


def _key() -> str:
    return crypto.secret_value(get_settings().jwt_secret_arn)


def issue(*, tenant_id: str, user_id: str, session_id: str, role: str, typ: str, ttl: timedelta,
          jti: str | None = None) -> tuple[str, datetime, str]:
    """Return (token, expiry, jti) for a user's session."""
    now = clock.now()
    expires = now + ttl
    jti = jti or ids.new_id()
    claims = {"iss": ISSUER, "sub": user_id, "tid": tenant_id, "sid": session_id, "role": role, "typ": typ,
              "iat": int(now.timestamp()), "exp": int(expires.timestamp()), "jti": jti}
    return jwt.encode(claims, _key(), algorithm="HS256"), expires, jti


def decode(token: str, *, typ: str) -> dict[str, Any]:
    """Verify a token's signature, expiry and type; Unauthenticated otherwise."""
    try:
        # Time claims are checked below against our clock (controllable in tests), not PyJWT's.
        claims = jwt.decode(token, _key(), algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "tid", "sid", "typ", "jti"],
                                     "verify_exp": False, "verify_iat": False, "verify_nbf": False})
    except jwt.PyJWTError:
        raise errors.Unauthenticated("Invalid token", code="invalid_token") from None
    if claims["typ"] != typ:
        raise errors.Unauthenticated("Invalid token", code="invalid_token")
    if not isinstance(claims["exp"], int) or claims["exp"] <= clock.now().timestamp():
        raise errors.Unauthenticated("Token expired", code="token_expired")
    return claims
