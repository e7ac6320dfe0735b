"""Identifiers and secrets."""
from __future__ import annotations

import secrets
import uuid


def new_id() -> str:
    """Return a new random identifier (UUID4 string)."""
    return str(uuid.uuid4())


def new_token(nbytes: int = 32) -> str:
    """Return a URL-safe random secret of `nbytes` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)
