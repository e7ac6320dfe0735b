from __future__ import annotations

import pytest

from tests.factories.identity import make_tenant, sign_in


@pytest.fixture
def tenant(aws):
    return make_tenant("default")


@pytest.fixture
def admin(client, tenant):
    return sign_in(client, tenant, "root", role="superadmin")
