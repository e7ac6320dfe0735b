from __future__ import annotations

import hashlib

import pytest

from tests.factories.identity import OPERATOR_KEY, make_tenant, sign_in


@pytest.fixture
def tenant(aws):
    return make_tenant("default")


@pytest.fixture
def admin(client, tenant):
    return sign_in(client, tenant, "root", role="superadmin")


@pytest.fixture
def operator(monkeypatch, aws):
    """The operator API's headers, with the deployment configured to accept its key."""
    from chalicelib.core import settings

    monkeypatch.setenv("OPERATOR_KEY_SHA256", hashlib.sha256(OPERATOR_KEY.encode()).hexdigest())
    settings.reset_settings_cache()
    return {"X-Operator-Key": OPERATOR_KEY, "Content-Type": "application/json"}

