"""The TFA and trusted-device routes over the Chalice test gateway, and the login's 2FA step end to end.

No frozen clock here: access tokens are checked against real time, so codes are made for the real time.
"""
from __future__ import annotations

import json

import pytest

from chalicelib.core import clock
from chalicelib.tfa import totp
from tests.factories.identity import PASSWORD, cookie_value, host_of, login, make_tenant, set_cookies, sign_in

TRUST = "patchmon_device_trust"


@pytest.fixture
def site(aws):
    return make_tenant("default")


@pytest.fixture
def alice(client, site):
    return sign_in(client, site, "alice")


def _enrol(session) -> list[str]:
    secret = session.get("/api/v1/tfa/setup").json_body["secret"]
    response = session.post("/api/v1/tfa/verify-setup", {"token": totp.code_for(secret, totp.step_at(clock.now()))})
    assert response.status_code == 200, response.body
    return response.json_body["backup_codes"]


def _verify_tfa(client, site, *, code: str, ticket: str, remember_me: bool = False):
    return client.http.post("/api/v1/auth/verify-tfa", headers={"Host": host_of(site), "Content-Type": "application/json"},
                            body=json.dumps({"username": "alice", "token": code, "tfa_ticket": ticket, "remember_me": remember_me}))


def _login_with_trust(client, site, trust: str):
    return client.http.post("/api/v1/auth/login", headers={"Host": host_of(site), "Content-Type": "application/json", "Cookie": f"{TRUST}={trust}"},
                            body=json.dumps({"username": "alice", "password": PASSWORD}))


def _ticket(client, site) -> str:
    body = login(client, site, "alice").json_body
    assert body["requiresTfa"] is True, body
    return body["tfaTicket"]


def test_tfa_routes_refuse_callers_when_not_signed_in(client, site):
    response = client.http.get("/api/v1/tfa/status", headers={"Host": host_of(site)})

    assert response.status_code == 401


def test_enrolment_over_http_enables_tfa_when_code_is_valid(alice):
    # When
    codes = _enrol(alice)

    # Then
    assert len(codes) == 10
    assert alice.get("/api/v1/tfa/status").json_body == {"enabled": True, "backup_codes_remaining": 10}
    assert alice.get("/api/v1/tfa/setup").status_code == 409


def test_verify_setup_is_400_when_body_has_unknown_fields(alice):
    response = alice.post("/api/v1/tfa/verify-setup", {"token": "123456", "remember": True})

    assert response.status_code == 400


def test_disable_is_401_when_password_is_wrong(alice):
    _enrol(alice)

    response = alice.post("/api/v1/tfa/disable", {"password": "Wrong-Horse-9!"})

    assert (response.status_code, response.json_body["error"], response.json_body["code"]) == (401, "Invalid password", "invalid_password")


def test_login_asks_for_the_second_factor_and_remembers_the_device_when_asked(client, site, alice):
    # Given
    codes = _enrol(alice)

    # When
    response = _verify_tfa(client, site, code=codes[0], ticket=_ticket(client, site), remember_me=True)

    # Then
    assert response.status_code == 200, response.body
    trust = cookie_value(set_cookies(response)[TRUST])
    assert "token" in _login_with_trust(client, site, trust).json_body  # the 2FA step is skipped for this browser
    [device] = alice.get("/api/v1/auth/trusted-devices", Cookie=f"{TRUST}={trust}").json_body["devices"]
    assert device["is_current"] is True


def test_wrong_codes_count_down_then_answer_429_with_retry_after_when_locked(client, site, alice):
    # Given
    _enrol(alice)
    ticket = _ticket(client, site)

    # When
    answers = [_verify_tfa(client, site, code="000000", ticket=ticket) for _ in range(6)]

    # Then
    assert [a.json_body.get("remainingAttempts") for a in answers[:5]] == [4, 3, 2, 1, 0]
    assert {a.status_code for a in answers[:5]} == {401}
    assert answers[5].status_code == 429
    assert answers[5].json_body["error"] == "Too many failed TFA attempts. Please try again later."
    assert int(answers[5].headers["Retry-After"]) > 29 * 60


def test_revoking_this_browsers_device_clears_its_cookie(client, site, alice):
    # Given
    codes = _enrol(alice)
    trust = cookie_value(set_cookies(_verify_tfa(client, site, code=codes[0], ticket=_ticket(client, site), remember_me=True))[TRUST])
    [device] = alice.get("/api/v1/auth/trusted-devices").json_body["devices"]

    # When
    response = alice.delete(f"/api/v1/auth/trusted-devices/{device['id']}", Cookie=f"{TRUST}={trust}")

    # Then
    assert response.status_code == 200
    assert "Max-Age=0" in set_cookies(response)[TRUST]
    assert alice.get("/api/v1/auth/trusted-devices").json_body["devices"] == []


def test_forgetting_all_devices_clears_the_cookie_and_asks_for_2fa_again(client, site, alice):
    # Given
    codes = _enrol(alice)
    trusted = _verify_tfa(client, site, code=codes[0], ticket=_ticket(client, site), remember_me=True)
    trust = cookie_value(set_cookies(trusted)[TRUST])

    # When
    response = alice.delete("/api/v1/auth/trusted-devices")

    # Then
    assert response.status_code == 200
    assert "Max-Age=0" in set_cookies(response)[TRUST]
    assert alice.get("/api/v1/auth/trusted-devices").json_body["devices"] == []
    assert _login_with_trust(client, site, trust).json_body.get("requiresTfa") is True


def test_revoking_an_unknown_device_is_404(alice):
    assert alice.delete("/api/v1/auth/trusted-devices/0123456789abcdef").status_code == 404
