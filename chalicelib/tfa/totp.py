"""TOTP (RFC 6238) and backup codes: pure functions, no storage."""
from __future__ import annotations

import base64
import io
import re
import secrets
from datetime import datetime

import pyotp
import segno
from pyotp.utils import strings_equal

from chalicelib.user import passwords

ISSUER = "PatchMon Cloud"
DIGITS = 6
PERIOD_SECONDS = 30
# ±1 step. PatchMon's Go server allows ±2 (reference-server §7), but its docs (D25.21) promise that a
# phone more than ~30 s off, or a code 60+ s old, fails; ±1 is what honours that. A code of step s is
# then good from the start of s-1 to the end of s+1, and a step-(s-2) code is always 60+ s old.
DRIFT_STEPS = 1

BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 8
# Upper-case letters and digits without 0/O and 1/I, which users misread when typing from paper:
# 32 symbols, so a code carries 40 bits.
BACKUP_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

_TOTP_RE = re.compile(rf"^[0-9]{{{DIGITS}}}$")
_BACKUP_RE = re.compile(rf"^[{BACKUP_CODE_ALPHABET}]{{{BACKUP_CODE_LENGTH}}}$")
_SEPARATORS_RE = re.compile(r"[\s-]+")


def new_secret() -> str:
    """Return a new base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def step_at(moment: datetime) -> int:
    """Return the TOTP time step containing `moment`."""
    return int(moment.timestamp()) // PERIOD_SECONDS


def code_for(secret: str, step: int) -> str:
    """Return the code of one time step (what an authenticator app shows during it)."""
    return _totp(secret).generate_otp(step)


def match_step(secret: str, code: str, *, at: datetime, last_used_step: int | None) -> int | None:
    """Return the step `code` belongs to within the drift window, or None; steps ≤ last_used_step never match."""
    code = normalise(code)
    if not _TOTP_RE.match(code):
        return None
    current = step_at(at)
    for step in sorted(range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1), key=lambda s: abs(s - current)):
        if last_used_step is not None and step <= last_used_step:
            continue
        if strings_equal(code_for(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, username: str) -> str:
    """Return the otpauth:// URI an authenticator app enrols from."""
    uri = _totp(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    # pyotp leaves out digits and period when they are the defaults; some apps read them anyway.
    return f"{uri}&digits={DIGITS}&period={PERIOD_SECONDS}"


def qr_code_data_uri(uri: str) -> str:
    """Return a QR code of `uri` as an SVG data URI."""
    buffer = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(buffer, kind="svg", scale=4, border=4, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def normalise(code: str) -> str:
    """Return a typed code without spaces or hyphens, upper-cased (TOTP digits are unaffected)."""
    return _SEPARATORS_RE.sub("", code or "").upper()


def is_backup_code_shaped(code: str) -> bool:
    """Tell whether a normalised code could be a backup code (so no hash is tried for anything else)."""
    return bool(_BACKUP_RE.match(code))


def new_backup_codes() -> list[str]:
    """Return a fresh set of plaintext backup codes."""
    return ["".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH)) for _ in range(BACKUP_CODE_COUNT)]


def hash_backup_codes(codes: list[str]) -> set[str]:
    """Return the argon2id hashes of backup codes (D25.6 says bcrypt; argon2id is our slow hash everywhere)."""
    return {passwords.hash_password(code) for code in codes}


def find_backup_code(code: str, hashes: set[str]) -> str | None:
    """Return the stored hash that `code` matches, or None."""
    code = normalise(code)
    if not is_backup_code_shaped(code):
        return None
    return next((h for h in sorted(hashes) if passwords.verify(h, code)), None)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS, issuer=ISSUER)
