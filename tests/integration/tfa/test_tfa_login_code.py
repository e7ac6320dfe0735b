"""The second factor at login: TOTP drift and replay, and the per-user lockout (D25.8, D25.17, D25.21)."""
from __future__ import annotations

import pytest

from chalicelib.tfa import service, totp
from chalicelib.tfa.service import TfaCodeRejected, TfaLocked

WRONG = "000000"


def _reject(member, settings, code: str = WRONG) -> TfaCodeRejected:
    with pytest.raises(TfaCodeRejected) as caught:
        service.verify_login_code(member.tenant_id, member.user_id, code, settings=settings)
    return caught.value


def _wrong_code(secret: str, frozen) -> str:
    """A six-digit code that is not valid anywhere in the drift window."""
    window = {totp.code_for(secret, totp.step_at(frozen.now) + d) for d in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in window)


def test_totp_code_signs_in_when_current(alice, enrol, code_now, settings):
    secret = enrol(alice).secret

    service.verify_login_code(alice.tenant_id, alice.user_id, code_now(secret), settings=settings)


@pytest.mark.parametrize("phone_offset", [-30, 30])
def test_totp_code_signs_in_when_phone_clock_is_30_seconds_off(alice, enrol, frozen, settings, phone_offset):
    secret = enrol(alice).secret
    code = totp.code_for(secret, totp.step_at(frozen.now) + phone_offset // 30)

    service.verify_login_code(alice.tenant_id, alice.user_id, code, settings=settings)


def test_totp_code_is_rejected_when_60_seconds_old(alice, enrol, frozen, code_now, settings):
    # Given
    secret = enrol(alice).secret
    code = code_now(secret)

    # When
    frozen.advance(seconds=60)

    # Then
    _reject(alice, settings, code)


def test_totp_code_is_rejected_when_replayed(alice, enrol, code_now, settings):
    # Given
    secret = enrol(alice).secret
    code = code_now(secret)
    service.verify_login_code(alice.tenant_id, alice.user_id, code, settings=settings)

    # When / Then
    _reject(alice, settings, code)


def test_code_is_rejected_when_tfa_is_not_enabled(alice, settings):
    _reject(alice, settings, "123456")


def test_remaining_attempts_count_down_to_zero_when_codes_keep_failing(alice, enrol, frozen, settings, audit_actions):
    secret = enrol(alice).secret

    remaining = [_reject(alice, settings, _wrong_code(secret, frozen)).remaining_attempts for _ in range(5)]

    assert remaining == [4, 3, 2, 1, 0]
    assert audit_actions(alice).count("tfa_verification_failed") == 5


def test_rejection_carries_remaining_attempts_for_the_response_when_raised(alice, settings):
    rejection = _reject(alice, settings)

    assert (rejection.message, rejection.extra) == ("Invalid verification code", {"remainingAttempts": 4})


def test_correct_code_is_refused_with_429_when_user_is_locked(alice, enrol, frozen, code_now, settings):
    # Given
    secret = enrol(alice).secret
    for _ in range(5):
        _reject(alice, settings)
    frozen.advance(minutes=10)

    # When
    with pytest.raises(TfaLocked) as caught:
        service.verify_login_code(alice.tenant_id, alice.user_id, code_now(secret), settings=settings)

    # Then
    assert caught.value.message == "Too many failed TFA attempts. Please try again later."
    assert caught.value.retry_after_seconds == 20 * 60


def test_lock_lifts_when_lockout_duration_has_passed(alice, enrol, frozen, code_now, settings):
    # Given
    secret = enrol(alice).secret
    for _ in range(5):
        _reject(alice, settings)

    # When
    frozen.advance(minutes=30, seconds=1)

    # Then
    service.verify_login_code(alice.tenant_id, alice.user_id, code_now(secret), settings=settings)


def test_failures_count_afresh_when_the_lock_has_expired_but_ttl_has_not_deleted_it(alice, settings, frozen):
    for _ in range(5):
        _reject(alice, settings)
    frozen.advance(minutes=31)

    assert _reject(alice, settings).remaining_attempts == 4


def test_success_resets_the_failure_counter(alice, enrol, frozen, code_now, settings):
    # Given
    secret = enrol(alice).secret
    for _ in range(4):
        _reject(alice, settings)

    # When
    service.verify_login_code(alice.tenant_id, alice.user_id, code_now(secret), settings=settings)

    # Then
    assert _reject(alice, settings).remaining_attempts == 4


def test_tenant_settings_set_attempts_and_duration_when_changed(alice, frozen, settings):
    strict = settings.model_copy(update={"max_tfa_attempts": 3, "tfa_lockout_duration_minutes": 60})
    for _ in range(3):
        _reject(alice, strict)

    with pytest.raises(TfaLocked) as caught:
        service.verify_login_code(alice.tenant_id, alice.user_id, WRONG, settings=strict)

    assert caught.value.retry_after_seconds == 60 * 60


def test_one_users_failures_do_not_lock_another_user(tenant, alice, make_member, enrol, code_now, settings):
    # Given
    bob = make_member(tenant.tenant_id, "bob")
    secret = enrol(bob).secret
    for _ in range(5):
        _reject(alice, settings)

    # When / Then
    service.verify_login_code(bob.tenant_id, bob.user_id, code_now(secret), settings=settings)
