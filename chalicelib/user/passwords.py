"""Password hashing (argon2id) and the tenant's password policy."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chalicelib.core.errors import InvalidInput
from chalicelib.tenant.schemas import PasswordPolicy

# OWASP's argon2id baseline (19 MiB, 2 passes): ~20-40 ms on a Lambda vCPU, far slower to brute-force than SHA.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Compared against when the user does not exist, so a miss costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash in constant time; a missing hash never matches."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_policy(password: str, policy: PasswordPolicy) -> None:
    """Raise InvalidInput naming every rule the password breaks."""
    problems = []
    if len(password) < policy.min_length:
        problems.append(f"at least {policy.min_length} characters")
    if policy.require_uppercase and not re.search(r"[A-Z]", password):
        problems.append("an uppercase letter")
    if policy.require_lowercase and not re.search(r"[a-z]", password):
        problems.append("a lowercase letter")
    if policy.require_number and not re.search(r"[0-9]", password):
        problems.append("a number")
    if policy.require_special and not re.search(r"[^A-Za-z0-9]", password):
        problems.append("a special character")
    if len(password) > 256:
        problems.append("at most 256 characters")
    if problems:
        raise InvalidInput("Password must contain " + ", ".join(problems))
