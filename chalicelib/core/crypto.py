"""Hashing, constant-time comparison and envelope encryption of secrets at rest.

Envelope encryption: KMS makes a fresh data key for each value; the value is sealed with AES-256-GCM
under it, and only the KMS-wrapped data key is stored beside the ciphertext. The tenant id is bound
as associated data (and KMS encryption context), so a sealed value copied into another tenant's
item does not open.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.core.db import client
from chalicelib.core.settings import get_settings

ENVELOPE_VERSION = 1


def sha256_hex(value: str) -> str:
    """Return the SHA-256 of a high-entropy token (tickets, trust tokens): enough, as they cannot be guessed."""
    return hashlib.sha256(value.encode()).hexdigest()


def equal(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def random_token(nbytes: int = 32) -> str:
    """Return a URL-safe random token."""
    return secrets.token_urlsafe(nbytes)


def seal(plaintext: str, *, tenant_id: str) -> str:
    """Encrypt a secret for storage; returns an opaque string."""
    context = {"tenant_id": tenant_id}
    data_key = client("kms").generate_data_key(KeyId=get_settings().data_key_arn, KeySpec="AES_256", EncryptionContext=context)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key["Plaintext"]).encrypt(nonce, plaintext.encode(), tenant_id.encode())
    envelope = {"v": ENVELOPE_VERSION, "k": _b64(data_key["CiphertextBlob"]), "n": _b64(nonce), "c": _b64(ciphertext)}
    return base64.urlsafe_b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode()


def open_sealed(sealed: str, *, tenant_id: str) -> str:
    """Decrypt a value made by `seal` for the same tenant."""
    envelope = json.loads(base64.urlsafe_b64decode(sealed))
    data_key = client("kms").decrypt(CiphertextBlob=_unb64(envelope["k"]), EncryptionContext={"tenant_id": tenant_id})["Plaintext"]
    return AESGCM(data_key).decrypt(_unb64(envelope["n"]), _unb64(envelope["c"]), tenant_id.encode()).decode()


@functools.lru_cache(maxsize=4)
def secret_value(secret_arn: str) -> str:
    """Return a Secrets Manager secret (read once per process; Lambda containers are short-lived)."""
    return client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
