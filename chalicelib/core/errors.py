"""Domain errors. Routes map them to HTTP in one table (`chalicelib/web/errors.py`)."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a client or a worker can cause; carries a stable snake_case code."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None,
                 retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}  # documented fields beside "error", e.g. remainingAttempts
        self.retry_after_seconds = retry_after_seconds


class InvalidInput(DomainError):
    code = "invalid_input"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class RateLimited(DomainError):
    code = "rate_limited"


class ModuleNotAvailable(Forbidden):
    code = "module_not_available"

    def __init__(self) -> None:
        super().__init__("module not available in your plan")


class PlanLimitReached(Forbidden):
    code = "plan_limit_reached"
