"""Agent credentials: `patchmon_<16 hex>` ids and 256-bit keys, stored as a keyed fast hash.

The key is random and long, so a slow hash buys nothing and would dominate the cost of every agent
request (DESIGN.md §5): HMAC-SHA-256 under a server-side pepper, compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from chalicelib.core import crypto
from chalicelib.core.settings import get_settings

API_ID_PREFIX = "patchmon_"


def new_api_id() -> str:
    return API_ID_PREFIX + secrets.token_hex(8)


def new_api_key() -> str:
    return secrets.token_hex(32)


def key_hash(api_key: str) -> str:
    """Return the stored form of an API key."""
    pepper = crypto.secret_value(get_settings().agent_key_pepper_arn).encode()
    return hmac.new(pepper, api_key.encode(), hashlib.sha256).hexdigest()


def matches(api_key: str, stored_hash: str) -> bool:
    """Check a presented key against its stored hash in constant time."""
    return bool(api_key) and hmac.compare_digest(key_hash(api_key), stored_hash or "")
