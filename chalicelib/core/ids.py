"""Identifiers and secrets."""
from __future__ import annotations

import secrets
import time
import uuid


def new_id() -> str:
    """Return a new random identifier (UUID4 string)."""
    return str(uuid.uuid4())


def new_token(nbytes: int = 32) -> str:
    """Return a URL-safe random secret of `nbytes` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def new_time_ordered_id() -> str:
    """Return a new UUIDv7 (RFC 9562): random, but its text sorts by creation time to the millisecond."""
    millis = time.time_ns() // 1_000_000
    value = (millis & (2**48 - 1)) << 80 | 0x7 << 76 | secrets.randbits(12) << 64 | 0b10 << 62 | secrets.randbits(62)
    return str(uuid.UUID(int=value))
