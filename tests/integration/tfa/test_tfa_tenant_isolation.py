"""A user id reused in another tenant sees nothing of the first tenant's TFA or devices."""
from __future__ import annotations

import pytest

from chalicelib.core import errors
from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import TenantCreate
from chalicelib.tfa import service, trusted_devices
from chalicelib.tfa.service import TfaCodeRejected

IP = "198.51.100.7"


@pytest.fixture
def twin(alice, make_member):
    """A user of another tenant with the same user id as alice."""
    other = tenant_service.create(TenantCreate(slug="globex", name="Globex"))
    return make_member(other.tenant_id, "alice", user_id=alice.user_id)


def test_other_tenant_sees_tfa_off_when_user_id_is_the_same(alice, twin, enrol):
    enrol(alice)

    assert not service.is_enabled(twin.tenant_id, twin.user_id)
    assert service.status(twin.ctx) == {"enabled": False, "backup_codes_remaining": 0}


def test_backup_code_is_rejected_in_another_tenant_when_user_id_is_the_same(alice, twin, enrol, settings):
    code = enrol(alice).backup_codes[0]

    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(twin.tenant_id, twin.user_id, code, settings=settings)


def test_lockout_of_one_tenant_does_not_lock_the_other(alice, twin, enrol, code_now, settings):
    secret = enrol(twin).secret
    for _ in range(5):
        with pytest.raises(TfaCodeRejected):
            service.verify_login_code(alice.tenant_id, alice.user_id, "000000", settings=settings)

    service.verify_login_code(twin.tenant_id, twin.user_id, code_now(secret), settings=settings)


def test_trusted_devices_are_invisible_in_another_tenant_when_user_id_is_the_same(alice, twin, settings):
    # Given
    cookie, _ = trusted_devices.trust(alice.tenant_id, alice.user_id, ip=IP, user_agent="", settings=settings)
    [device] = trusted_devices.list_(alice.ctx, current_cookie=cookie)

    # When / Then
    assert trusted_devices.list_(twin.ctx, current_cookie=cookie) == []
    assert not trusted_devices.is_trusted(twin.tenant_id, twin.user_id, cookie, ip=IP)
    with pytest.raises(errors.NotFound):
        trusted_devices.revoke(twin.ctx, device_id=device["id"])
    assert trusted_devices.revoke_all(twin.tenant_id, twin.user_id) == 0
    assert trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip=IP)
