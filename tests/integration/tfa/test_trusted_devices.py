"""Trusted devices: remember, recognise, expire, evict, list and revoke (D25.10-D25.15)."""
from __future__ import annotations

import base64
import json

import pytest

from chalicelib.core import crypto, errors
from chalicelib.tfa import trusted_devices

IP = "198.51.100.7"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def trust(alice, settings):
    """Trust a browser of alice's; returns its cookie value."""
    def _trust(user_agent: str = FIREFOX, ip: str = IP, member=alice) -> str:
        return trusted_devices.trust(member.tenant_id, member.user_id, ip=ip, user_agent=user_agent, settings=settings)[0]

    return _trust


def test_trust_returns_a_random_cookie_and_the_remember_me_lifetime(alice, settings):
    cookie, max_age = trusted_devices.trust(alice.tenant_id, alice.user_id, ip=IP, user_agent=FIREFOX, settings=settings)

    assert len(base64.urlsafe_b64decode(cookie + "=")) == 32
    assert max_age == 30 * 24 * 3600


def test_only_the_hash_of_the_cookie_is_stored(aws, trust):
    cookie = trust()

    dump = json.dumps(aws.table_items())

    assert cookie not in dump and crypto.sha256_hex(cookie) in dump


def test_cookie_is_trusted_when_fresh(alice, trust):
    cookie = trust()

    assert trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip=IP)


@pytest.mark.parametrize("cookie", [None, "", "not-a-cookie-we-issued", "x" * 4096])
def test_cookie_is_not_trusted_when_unknown_or_malformed(alice, trust, cookie):
    trust()

    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip=IP)


def test_cookie_is_not_trusted_when_expired_though_ttl_has_not_deleted_it(alice, trust, frozen):
    # Given
    cookie = trust()

    # When
    frozen.advance(days=30, seconds=1)

    # Then
    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip=IP)
    assert trusted_devices.list_(alice.ctx, current_cookie=cookie) == []


def test_cookie_is_trusted_from_another_ip_and_bumps_last_use_when_used(alice, trust, frozen):
    """Trust is not bound to IP (D25.11); the list shows the IP of the last use."""
    # Given
    cookie = trust(ip=IP)
    frozen.advance(days=2)

    # When
    assert trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip="203.0.113.9")

    # Then
    [device] = trusted_devices.list_(alice.ctx, current_cookie=cookie)
    assert device["ip_address"] == "203.0.113.9"
    assert device["last_used_at"] > device["created_at"]


def test_cookie_of_another_user_is_not_trusted(tenant, alice, make_member, trust):
    bob = make_member(tenant.tenant_id, "bob")

    assert not trusted_devices.is_trusted(bob.tenant_id, bob.user_id, trust(), ip=IP)


def test_oldest_device_is_evicted_when_a_sixth_is_trusted(alice, trust, frozen):
    # Given
    cookies = []
    for _ in range(5):
        cookies.append(trust())
        frozen.advance(minutes=1)

    # When
    cookies.append(trust())

    # Then
    assert len(trusted_devices.list_(alice.ctx, current_cookie=None)) == 5
    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookies[0], ip=IP)
    assert all(trusted_devices.is_trusted(alice.tenant_id, alice.user_id, c, ip=IP) for c in cookies[1:])


def test_list_marks_this_browser_and_hides_the_token_hash(alice, trust, frozen):
    # Given
    trust(user_agent="Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36")
    frozen.advance(minutes=1)
    mine = trust()

    # When
    devices = trusted_devices.list_(alice.ctx, current_cookie=mine)

    # Then
    assert [(d["label"], d["is_current"]) for d in devices] == [("Firefox on Linux", True), ("Chrome on Windows", False)]
    assert set(devices[0]) == {"id", "label", "user_agent", "ip_address", "created_at", "last_used_at", "expires_at", "is_current"}
    assert all(len(d["id"]) == 16 and d["id"] not in crypto.sha256_hex(mine) for d in devices)
    assert devices[0]["expires_at"] == "2025-03-31T12:01:10.000Z"


def test_revoke_removes_the_device_and_says_it_was_this_browser(alice, trust, audit_actions):
    # Given
    cookie = trust()
    [device] = trusted_devices.list_(alice.ctx, current_cookie=cookie)

    # When
    was_current = trusted_devices.revoke(alice.ctx, device_id=device["id"], current_cookie=cookie)

    # Then
    assert was_current is True
    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip=IP)
    assert "trusted_device_revoked" in audit_actions(alice)


def test_revoke_says_not_this_browser_when_another_device_is_revoked(alice, trust):
    other = trust()
    mine = trust()
    [target] = [d for d in trusted_devices.list_(alice.ctx, current_cookie=mine) if not d["is_current"]]

    assert trusted_devices.revoke(alice.ctx, device_id=target["id"], current_cookie=mine) is False
    assert trusted_devices.is_trusted(alice.tenant_id, alice.user_id, mine, ip=IP)
    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, other, ip=IP)


@pytest.mark.parametrize("device_id", ["0123456789abcdef", "nope", ""])
def test_revoke_is_not_found_when_the_device_is_unknown(alice, trust, device_id):
    trust()

    with pytest.raises(errors.NotFound):
        trusted_devices.revoke(alice.ctx, device_id=device_id)


def test_revoke_is_not_found_when_the_device_belongs_to_another_user(tenant, alice, make_member, trust):
    # Given
    bob = make_member(tenant.tenant_id, "bob")
    cookie = trust(member=bob)
    [device] = trusted_devices.list_(bob.ctx, current_cookie=cookie)

    # When / Then
    with pytest.raises(errors.NotFound):
        trusted_devices.revoke(alice.ctx, device_id=device["id"])
    assert trusted_devices.is_trusted(bob.tenant_id, bob.user_id, cookie, ip=IP)


def test_revoke_all_removes_every_device_of_the_user_only(tenant, alice, make_member, trust, audit_actions):
    # Given
    bob = make_member(tenant.tenant_id, "bob")
    mine = [trust(), trust()]
    bobs = trust(member=bob)

    # When
    revoked = trusted_devices.revoke_all(alice.tenant_id, alice.user_id, ctx=alice.ctx)

    # Then
    assert revoked == 2
    assert not any(trusted_devices.is_trusted(alice.tenant_id, alice.user_id, c, ip=IP) for c in mine)
    assert trusted_devices.is_trusted(bob.tenant_id, bob.user_id, bobs, ip=IP)
    assert "trusted_devices_revoked" in audit_actions(alice)
