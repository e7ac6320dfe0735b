"""Enrolment, status, backup codes, regeneration and disabling of a user's own TFA (D25.3-D25.7, D25.16)."""
from __future__ import annotations

import json

import pytest

from chalicelib.core import errors
from chalicelib.tfa import service, store, trusted_devices
from chalicelib.tfa.service import TfaCodeRejected


def test_setup_returns_secret_uri_and_qr_code_when_tfa_is_off(alice):
    # When
    result = service.setup(alice.ctx)

    # Then
    assert result["otpauth_url"].startswith("otpauth://totp/PatchMon%20Cloud:alice?secret=" + result["secret"])
    assert result["qr_code"].startswith("data:image/svg+xml;base64,")
    assert service.status(alice.ctx) == {"enabled": False, "backup_codes_remaining": 0}


def test_setup_is_refused_when_tfa_is_already_enabled(alice, enrol):
    enrol(alice)

    with pytest.raises(errors.Conflict, match="TFA is already enabled"):
        service.setup(alice.ctx)


def test_setup_is_refused_when_the_account_is_sso_only(tenant, make_member):
    sso_user = make_member(tenant.tenant_id, "sso", password=None)

    with pytest.raises(errors.InvalidInput, match="MFA is managed by your OIDC provider"):
        service.setup(sso_user.ctx)


def test_verify_setup_enables_tfa_with_ten_backup_codes_when_code_is_valid(alice, code_now, audit_actions):
    # Given
    secret = service.setup(alice.ctx)["secret"]

    # When
    result = service.verify_setup(alice.ctx, token=code_now(secret))

    # Then
    assert len(result["backup_codes"]) == 10
    assert service.status(alice.ctx) == {"enabled": True, "backup_codes_remaining": 10}
    assert service.is_enabled(alice.tenant_id, alice.user_id)
    assert "tfa_enabled" in audit_actions(alice)


def test_verify_setup_is_rejected_when_code_is_wrong(alice, code_now):
    secret = service.setup(alice.ctx)["secret"]
    wrong = f"{(int(code_now(secret)) + 1) % 1_000_000:06d}"

    with pytest.raises(errors.InvalidInput, match="Invalid verification code"):
        service.verify_setup(alice.ctx, token=wrong)
    assert service.status(alice.ctx)["enabled"] is False


def test_verify_setup_is_rejected_when_setup_was_never_started(alice):
    with pytest.raises(errors.InvalidInput):
        service.verify_setup(alice.ctx, token="123456")


def test_setup_code_cannot_be_replayed_at_login_when_just_used(alice, code_now, settings):
    """The step that enabled TFA counts as used, so the same code does not also sign in."""
    secret = service.setup(alice.ctx)["secret"]
    code = code_now(secret)
    service.verify_setup(alice.ctx, token=code)

    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(alice.tenant_id, alice.user_id, code, settings=settings)


def test_totp_secret_and_backup_codes_are_never_stored_in_plaintext_when_table_is_scanned(aws, alice, code_now):
    # Given
    secret = service.setup(alice.ctx)["secret"]
    during_setup = json.dumps(aws.table_items())

    # When
    codes = service.verify_setup(alice.ctx, token=code_now(secret))["backup_codes"]
    enabled = json.dumps(aws.table_items())

    # Then
    assert secret not in during_setup and secret not in enabled
    assert not [code for code in codes if code in enabled]


def test_secret_and_backup_codes_are_never_logged_when_enrolling_and_signing_in(alice, code_now, settings, capsys, caplog):
    # Given
    secret = service.setup(alice.ctx)["secret"]
    codes = service.verify_setup(alice.ctx, token=code_now(secret))["backup_codes"]

    # When
    service.verify_login_code(alice.tenant_id, alice.user_id, codes[0], settings=settings)
    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(alice.tenant_id, alice.user_id, codes[0], settings=settings)

    # Then
    logged = capsys.readouterr().out + caplog.text
    assert "tfa enabled" in logged
    assert secret not in logged and not [code for code in codes if code in logged]


def test_backup_code_signs_in_once_when_used_twice(alice, enrol, settings):
    # Given
    code = enrol(alice).backup_codes[3]

    # When
    service.verify_login_code(alice.tenant_id, alice.user_id, code, settings=settings)

    # Then
    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(alice.tenant_id, alice.user_id, code, settings=settings)
    assert service.status(alice.ctx)["backup_codes_remaining"] == 9


def test_backup_code_is_accepted_when_typed_lower_case_with_a_space(alice, enrol, settings):
    code = enrol(alice).backup_codes[0]

    service.verify_login_code(alice.tenant_id, alice.user_id, f"{code[:4].lower()} {code[4:].lower()}", settings=settings)

    assert service.status(alice.ctx)["backup_codes_remaining"] == 9


def test_concurrent_uses_of_one_backup_code_succeed_once(alice, enrol):
    """Both requests read the record before either consumes: the conditional delete lets only one through."""
    enrol(alice)
    code_hash = next(iter(store.get_record(alice.tenant_id, alice.user_id)["backup_code_hashes"]))

    first = store.consume_backup_code(alice.tenant_id, alice.user_id, code_hash=code_hash)
    second = store.consume_backup_code(alice.tenant_id, alice.user_id, code_hash=code_hash)

    assert (first, second) == (True, False)


def test_regenerate_invalidates_old_codes_when_password_is_correct(alice, enrol, settings, audit_actions):
    # Given
    old = enrol(alice).backup_codes

    # When
    new = service.regenerate_backup_codes(alice.ctx, password=alice.password)["backup_codes"]

    # Then
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(alice.tenant_id, alice.user_id, old[0], settings=settings)
    service.verify_login_code(alice.tenant_id, alice.user_id, new[0], settings=settings)
    assert "tfa_backup_codes_regenerated" in audit_actions(alice)


def test_regenerate_is_refused_when_password_is_wrong(alice, enrol):
    enrol(alice)

    with pytest.raises(errors.Unauthenticated, match="Invalid password"):
        service.regenerate_backup_codes(alice.ctx, password="wrong")


def test_regenerate_is_refused_when_tfa_is_off(alice):
    with pytest.raises(errors.InvalidInput, match="TFA is not enabled"):
        service.regenerate_backup_codes(alice.ctx, password=alice.password)


def test_disable_wipes_secret_codes_and_trusted_devices_when_password_is_correct(alice, enrol, settings, audit_actions):
    # Given
    enrolled = enrol(alice)
    cookie, _ = trusted_devices.trust(alice.tenant_id, alice.user_id, ip="198.51.100.7", user_agent="Firefox/128", settings=settings)

    # When
    service.disable(alice.ctx, password=alice.password)

    # Then
    assert service.status(alice.ctx) == {"enabled": False, "backup_codes_remaining": 0}
    assert store.get_record(alice.tenant_id, alice.user_id) is None
    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip="198.51.100.7")
    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(alice.tenant_id, alice.user_id, enrolled.backup_codes[0], settings=settings)
    assert "tfa_disabled" in audit_actions(alice)


def test_re_enabling_does_not_revive_old_codes_when_tfa_was_disabled(alice, enrol, settings):
    old = enrol(alice)
    service.disable(alice.ctx, password=alice.password)

    new = enrol(alice)

    assert new.secret != old.secret
    with pytest.raises(TfaCodeRejected):
        service.verify_login_code(alice.tenant_id, alice.user_id, old.backup_codes[0], settings=settings)


def test_disable_is_refused_when_password_is_wrong(alice, enrol):
    enrol(alice)

    with pytest.raises(errors.Unauthenticated, match="Invalid password"):
        service.disable(alice.ctx, password="Wrong-Horse-9")
    assert service.status(alice.ctx)["enabled"] is True


def test_disable_is_refused_when_the_account_has_no_password(tenant, make_member):
    sso_user = make_member(tenant.tenant_id, "sso", password=None)

    with pytest.raises(errors.InvalidInput, match="Cannot disable TFA for accounts without a password"):
        service.disable(sso_user.ctx, password="anything")


def test_purge_removes_record_and_devices_when_user_is_deleted(alice, enrol, settings):
    enrol(alice)
    cookie, _ = trusted_devices.trust(alice.tenant_id, alice.user_id, ip="198.51.100.7", user_agent="", settings=settings)

    service.purge(alice.tenant_id, alice.user_id)

    assert store.get_record(alice.tenant_id, alice.user_id) is None
    assert not trusted_devices.is_trusted(alice.tenant_id, alice.user_id, cookie, ip="198.51.100.7")
