"""Password hashing and policy."""
from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.tenant.schemas import PasswordPolicy
from chalicelib.user import passwords


def test_production_hash_is_argon2id_with_owasp_parameters():
    hashed = passwords._hasher.hash("Corr3ct-Horse!") if passwords._hasher.memory_cost == 19 * 1024 else None
    if hashed is None:  # the autouse fixture swapped in a cheap hasher; check the module's real one
        import importlib

        hashed = importlib.reload(passwords).hash_password("Corr3ct-Horse!")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_verify_accepts_the_password_and_rejects_others():
    hashed = passwords.hash_password("Corr3ct-Horse!")
    assert passwords.verify(hashed, "Corr3ct-Horse!")
    assert not passwords.verify(hashed, "corr3ct-horse!")
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("not-a-hash", "anything")


@pytest.mark.parametrize(("password", "message"), [
    ("Sh0rt!", "at least 8 characters"),
    ("lowercase-only-1", "an uppercase letter"),
    ("UPPERCASE-ONLY-1", "a lowercase letter"),
    ("No-Numbers-Here", "a number"),
    ("NoSpecial123", "a special character"),
])
def test_policy_names_the_broken_rule_when_password_is_weak(password, message):
    with pytest.raises(InvalidInput) as raised:
        passwords.check_policy(password, PasswordPolicy())
    assert message in raised.value.message


def test_policy_accepts_a_password_meeting_every_rule():
    passwords.check_policy("Corr3ct-Horse!", PasswordPolicy())


def test_policy_length_is_configurable_per_tenant():
    with pytest.raises(InvalidInput):
        passwords.check_policy("Corr3ct-Horse!", PasswordPolicy(min_length=20))
