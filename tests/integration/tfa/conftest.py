"""A tenant with users on moto, a clock the test moves, and helpers to enrol a user in TFA."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.audit import service as audit_service
from chalicelib.core import clock, ids
from chalicelib.core.tenancy import TenantContext
from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import SecuritySettings, Tenant, TenantCreate
from chalicelib.tfa import service, totp
from chalicelib.user import passwords
from chalicelib.user import store as user_store

PASSWORD = "Correct-Horse-9"
# 10 s into a TOTP step, so ±30 s lands squarely in the neighbouring steps.
START = datetime(2025, 3, 1, 12, 0, 10, tzinfo=UTC)


@dataclass
class FrozenClock:
    now: datetime = START

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Member:
    """A user of a tenant, and the context they act in once signed in."""

    user: dict[str, Any]
    ctx: TenantContext
    password: str | None

    @property
    def tenant_id(self) -> str:
        return self.ctx.tenant_id

    @property
    def user_id(self) -> str:
        return self.user["user_id"]


@dataclass
class Enrolled:
    secret: str
    backup_codes: list[str]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Every clock.now() returns the test's time."""
    fake = FrozenClock()
    monkeypatch.setattr(clock, "now", lambda: fake.now)
    return fake


@pytest.fixture
def tenant(aws, frozen) -> Tenant:
    return tenant_service.create(TenantCreate(slug="acme", name="Acme"))


@pytest.fixture
def settings(tenant) -> SecuritySettings:
    return tenant.settings


def _make_member(tenant_id: str, username: str, *, password: str | None = PASSWORD, user_id: str | None = None) -> Member:
    now = clock.iso(clock.now())
    user = {"user_id": user_id or ids.new_id(), "username": username, "email": f"{username}@example.com", "role": "user",
            "password_hash": passwords.hash_password(password) if password else None, "is_active": True,
            "auth_source": "local" if password else "oidc", "created_at": now, "updated_at": now}
    user_store.put_new(tenant_id, user)
    ctx = TenantContext(tenant_id=tenant_id, principal=f"user:{user['user_id']}", user_id=user["user_id"], role="user",
                        session_id=ids.new_id(), source_ip="198.51.100.7", user_agent="pytest")
    return Member(user, ctx, password)


@pytest.fixture
def make_member(aws) -> Callable[..., Member]:
    """Store a user (password=None: an SSO-only account) and return it with its signed-in context."""
    return _make_member


@pytest.fixture
def alice(tenant) -> Member:
    return _make_member(tenant.tenant_id, "alice")


@pytest.fixture
def code_now(frozen) -> Callable[[str], str]:
    """The code an authenticator app shows right now for a secret."""
    return lambda secret: totp.code_for(secret, totp.step_at(frozen.now))


@pytest.fixture
def enrol(frozen, code_now) -> Callable[[Member], Enrolled]:
    """Set TFA up for a member the way the profile page does, then move past the drift window of the step it used."""
    def _enrol(member: Member) -> Enrolled:
        secret = service.setup(member.ctx)["secret"]
        codes = service.verify_setup(member.ctx, token=code_now(secret))["backup_codes"]
        frozen.advance(seconds=60)
        return Enrolled(secret, codes)

    return _enrol


@pytest.fixture
def audit_actions() -> Callable[[Member], list[str]]:
    """The audit actions recorded in a member's tenant."""
    return lambda member: [e["action"] for e in audit_service.list_(member.ctx, limit=100, cursor=None)[0]]
