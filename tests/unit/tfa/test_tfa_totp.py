"""TOTP matching, the otpauth URI, the QR code and backup codes, without storage."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.tfa import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# 10 s into a 30 s step, so ±30 s lands squarely in the neighbouring steps.
NOW = datetime(2025, 3, 1, 12, 0, 10, tzinfo=UTC)


def _code(at: datetime) -> str:
    return totp.code_for(SECRET, totp.step_at(at))


def test_code_is_accepted_when_it_is_of_the_current_step():
    assert totp.match_step(SECRET, _code(NOW), at=NOW, last_used_step=None) == totp.step_at(NOW)


@pytest.mark.parametrize("phone_offset", [-30, 30])
def test_code_is_accepted_when_phone_clock_drifts_30_seconds(phone_offset):
    """A phone 30 s slow or fast still signs in (D25.21 "small drift window")."""
    code = _code(NOW + timedelta(seconds=phone_offset))

    assert totp.match_step(SECRET, code, at=NOW, last_used_step=None) is not None


@pytest.mark.parametrize("age_seconds", [60, 90])
def test_code_is_rejected_when_60_seconds_or_more_old(age_seconds):
    assert totp.match_step(SECRET, _code(NOW - timedelta(seconds=age_seconds)), at=NOW, last_used_step=None) is None


def test_code_is_rejected_when_its_step_was_already_used():
    step = totp.step_at(NOW)

    assert totp.match_step(SECRET, _code(NOW), at=NOW, last_used_step=step) is None


def test_earlier_code_is_rejected_when_a_later_step_was_used():
    later = totp.step_at(NOW)

    assert totp.match_step(SECRET, _code(NOW - timedelta(seconds=30)), at=NOW, last_used_step=later) is None


def test_code_is_accepted_when_typed_with_spaces():
    code = _code(NOW)

    assert totp.match_step(SECRET, f" {code[:3]} {code[3:]} ", at=NOW, last_used_step=None) is not None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12345a"])
def test_code_is_rejected_when_not_six_digits(code):
    assert totp.match_step(SECRET, code, at=NOW, last_used_step=None) is None


def test_provisioning_uri_names_issuer_user_and_parameters_when_built():
    uri = urlparse(totp.provisioning_uri(SECRET, username="alice"))
    query = parse_qs(uri.query)

    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/PatchMon%20Cloud:alice")
    assert query == {"secret": [SECRET], "issuer": ["PatchMon Cloud"], "digits": ["6"], "period": ["30"]}


def test_qr_code_is_an_svg_data_uri_when_rendered():
    uri = totp.qr_code_data_uri("otpauth://totp/x?secret=" + SECRET)

    prefix, _, payload = uri.partition(",")
    assert prefix == "data:image/svg+xml;base64"
    assert base64.b64decode(payload).startswith(b"<svg xmlns=")


def test_new_secret_is_32_base32_characters_when_generated():
    secret = totp.new_secret()

    assert len(secret) == 32 and base64.b32decode(secret)


def test_backup_codes_are_ten_distinct_unambiguous_codes_when_generated():
    codes = totp.new_backup_codes()

    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 8 and set(c) <= set(totp.BACKUP_CODE_ALPHABET) for c in codes)
    assert not set("01OI") & set("".join(codes))


def test_backup_code_matches_its_hash_when_typed_lower_case_with_separators():
    codes = totp.new_backup_codes()[:2]
    hashes = totp.hash_backup_codes(codes)
    typed = f"{codes[1][:4].lower()}-{codes[1][4:].lower()} "

    found = totp.find_backup_code(typed, hashes)

    assert found is not None and found in hashes and codes[1] not in hashes


def test_backup_code_is_not_hashed_against_when_it_has_the_wrong_shape(monkeypatch):
    """A 6-digit TOTP attempt never costs ten argon2 verifications."""
    hashes = totp.hash_backup_codes(totp.new_backup_codes()[:1])
    monkeypatch.setattr(totp.passwords, "verify", lambda *_: pytest.fail("hashed a code that cannot be a backup code"))

    assert totp.find_backup_code("123456", hashes) is None
