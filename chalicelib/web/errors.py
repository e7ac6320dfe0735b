"""Domain errors → HTTP status codes, in one table."""
from __future__ import annotations

from chalicelib.core import errors

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.RateLimited: 429,
}


def status_for(error: errors.DomainError) -> int:
    """Return the HTTP status of a domain error (the most specific class in the table wins)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def body_for(error: errors.DomainError) -> dict[str, object]:
    """Return the JSON error body: {"error": message, "code": snake_code} plus any documented extra fields."""
    return {"error": error.message, "code": error.code, **error.extra}


def headers_for(error: errors.DomainError) -> dict[str, str]:
    """Return response headers an error calls for (Retry-After on 429)."""
    return {"Retry-After": str(error.retry_after_seconds)} if error.retry_after_seconds is not None else {}
