"""Rate limits per category and client, and lockouts after repeated failures."""
from __future__ import annotations

import hashlib
import math

from chalicelib.core import clock, errors
from chalicelib.ratelimit import store

TOO_MANY = "Too many requests. Try again later."


def hit(tenant_id: str, *, category: str, client: str, limit: int, window_seconds: int) -> None:
    """Count a request of `client` in `category`; RateLimited past `limit` in the current fixed window."""
    now = clock.now().timestamp()
    window = int(now // window_seconds)
    reset_at = (window + 1) * window_seconds
    count = store.add(tenant_id, f"rl#{category}#{client}#{window}", expires_at=reset_at + 60)
    if count > limit:
        raise errors.RateLimited(TOO_MANY, retry_after_seconds=max(1, math.ceil(reset_at - now)))


def subject_hash(value: str) -> str:
    """Return a short stable hash naming a subject (a username) without storing it in a key."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def check_lock(tenant_id: str, name: str, *, message: str) -> None:
    """Raise RateLimited while the lock `name` is in force."""
    item = store.get(tenant_id, f"lock#{name}")
    now = clock.now().timestamp()
    if item and float(item.get("locked_until", 0)) > now:
        remaining = math.ceil(float(item["locked_until"]) - now)
        raise errors.RateLimited(message, code="account_locked", extra={"remaining_seconds": remaining},
                                 retry_after_seconds=remaining)


def record_failure(tenant_id: str, name: str, *, max_failures: int, window_seconds: int, lock_seconds: int) -> int:
    """Count a failure; lock once `max_failures` fall within the window. Returns the failures left before a lock."""
    key = f"lock#{name}"
    now = clock.now().timestamp()
    item = store.get(tenant_id, key) or {}
    first = float(item.get("first_failure_at", 0))
    failures = int(item.get("failures", 0)) if now - first < window_seconds else 0
    first = first if failures else now
    failures += 1
    record = {"failures": failures, "first_failure_at": int(first), "expires_at": int(now + max(window_seconds, lock_seconds)) + 60}
    if failures >= max_failures:
        record |= {"locked_until": int(now + lock_seconds), "failures": 0, "expires_at": int(now + lock_seconds) + 60}
    store.put(tenant_id, key, record)
    return max(0, max_failures - failures) if failures < max_failures else 0


def clear(tenant_id: str, name: str) -> None:
    """Forget failures (after a success)."""
    store.delete(tenant_id, f"lock#{name}")
