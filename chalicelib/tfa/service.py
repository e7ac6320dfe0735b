"""Two-factor authentication of a user: setup, the login check with its lockout, backup codes, disable."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.audit import service as audit_service
from chalicelib.core import clock, crypto, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.tenant.schemas import SecuritySettings
from chalicelib.tfa import store, totp, trusted_devices
from chalicelib.user import passwords
from chalicelib.user import service as user_service

INVALID_CODE = "Invalid verification code"
# PatchMon's wording (spec D25 "2FA" strings, L15965).
LOCKED_OUT = "Too many failed TFA attempts. Please try again later."


class TfaCodeRejected(errors.Unauthenticated):
    """A login verification code was wrong; `remaining_attempts` is what is left before the lockout."""

    code = "tfa_code_rejected"

    def __init__(self, remaining_attempts: int) -> None:
        super().__init__(INVALID_CODE, extra={"remainingAttempts": remaining_attempts})
        self.remaining_attempts = remaining_attempts


class TfaLocked(errors.RateLimited):
    """The user failed too many verifications in a row; `retry_after_seconds` until the lock lifts."""

    code = "tfa_locked"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(LOCKED_OUT, retry_after_seconds=retry_after_seconds)


# --- the signed-in user's own TFA (Profile → Multi-Factor Authentication) ------------------------
def setup(ctx: TenantContext) -> dict[str, str]:
    """Start enrolment: store a new pending secret and return it with its otpauth URI and QR code."""
    user = user_service.get_self(ctx)
    if user.get("password_hash") is None:
        raise errors.InvalidInput("MFA is managed by your OIDC provider")
    secret = totp.new_secret()
    sealed = crypto.seal(secret, tenant_id=ctx.tenant_id)
    if not store.put_pending_secret(ctx.tenant_id, _user_id(ctx), sealed_secret=sealed, at=clock.iso(clock.now())):
        raise errors.Conflict("TFA is already enabled")
    uri = totp.provisioning_uri(secret, username=user["username"])
    return {"secret": secret, "otpauth_url": uri, "qr_code": totp.qr_code_data_uri(uri)}


def verify_setup(ctx: TenantContext, *, token: str) -> dict[str, list[str]]:
    """Finish enrolment with a code from the app; enable TFA and return the backup codes, shown only now."""
    user_id = _user_id(ctx)
    record = store.get_record(ctx.tenant_id, user_id) or {}
    if record.get("enabled"):
        raise errors.Conflict("TFA is already enabled")
    pending = record.get("pending_secret_sealed")
    if not pending:
        raise errors.InvalidInput("Start TFA setup first")
    secret = crypto.open_sealed(pending, tenant_id=ctx.tenant_id)
    step = totp.match_step(secret, token, at=clock.now(), last_used_step=None)
    if step is None:
        raise errors.InvalidInput(INVALID_CODE)
    codes = totp.new_backup_codes()
    if not store.enable(ctx.tenant_id, user_id, pending_sealed=pending, backup_code_hashes=totp.hash_backup_codes(codes),
                        step=step, at=clock.iso(clock.now())):
        raise errors.Conflict("TFA setup changed meanwhile; start again")
    audit_service.record(ctx, tenant_id=ctx.tenant_id, action="tfa_enabled", target_type="user", target_id=user_id)
    logger.info("tfa enabled", extra={"tenant_id": ctx.tenant_id, "user_id": user_id})
    return {"backup_codes": codes}


def status(ctx: TenantContext) -> dict[str, Any]:
    """Return whether TFA is on and how many backup codes are left."""
    record = store.get_record(ctx.tenant_id, _user_id(ctx)) or {}
    enabled = bool(record.get("enabled"))
    return {"enabled": enabled, "backup_codes_remaining": len(record.get("backup_code_hashes", ())) if enabled else 0}


def disable(ctx: TenantContext, *, password: str) -> None:
    """Turn TFA off after re-checking the password; wipe the secret and codes and revoke every trusted device."""
    user_id = _check_password(ctx, password, refusal="Cannot disable TFA for accounts without a password")
    if not (store.get_record(ctx.tenant_id, user_id) or {}).get("enabled"):
        raise errors.InvalidInput("TFA is not enabled")
    store.delete_record(ctx.tenant_id, user_id)
    revoked = trusted_devices.revoke_all(ctx.tenant_id, user_id)
    audit_service.record(ctx, tenant_id=ctx.tenant_id, action="tfa_disabled", target_type="user", target_id=user_id,
                         details={"trusted_devices_revoked": revoked})
    logger.info("tfa disabled", extra={"tenant_id": ctx.tenant_id, "user_id": user_id})


def regenerate_backup_codes(ctx: TenantContext, *, password: str) -> dict[str, list[str]]:
    """Replace the backup codes (the old set stops working at once) and return the new ones."""
    # PatchMon's route takes no password (D25.7). We require it: a stolen session alone must not be
    # able to mint fresh recovery codes for itself.
    user_id = _check_password(ctx, password, refusal="Cannot regenerate backup codes for accounts without a password")
    codes = totp.new_backup_codes()
    if not store.replace_backup_codes(ctx.tenant_id, user_id, backup_code_hashes=totp.hash_backup_codes(codes), at=clock.iso(clock.now())):
        raise errors.InvalidInput("TFA is not enabled")
    audit_service.record(ctx, tenant_id=ctx.tenant_id, action="tfa_backup_codes_regenerated", target_type="user", target_id=user_id)
    return {"backup_codes": codes}


# --- the login flow (the user is not signed in yet) ----------------------------------------------
def is_enabled(tenant_id: str, user_id: str) -> bool:
    """Tell whether the user must pass a second factor at login."""
    return bool((store.get_record(tenant_id, user_id) or {}).get("enabled"))


def enabled_users(tenant_id: str, user_ids: list[str]) -> set[str]:
    """Return which of the users have TFA enabled (a batch read, for user lists)."""
    return store.enabled_users(tenant_id, user_ids) if user_ids else set()


def verify_login_code(tenant_id: str, user_id: str, code: str, *, settings: SecuritySettings) -> None:
    """Accept a TOTP or backup code; raise TfaCodeRejected (with attempts left) or TfaLocked."""
    _raise_if_locked(tenant_id, user_id, settings)
    if _accept(tenant_id, user_id, code or ""):
        store.clear_failures(tenant_id, user_id)
        return
    now = clock.now()
    lockout = timedelta(minutes=settings.tfa_lockout_duration_minutes)
    failures = store.add_failure(tenant_id, user_id, now=clock.epoch_seconds(now), expires_at=clock.epoch_seconds(now + lockout))
    remaining = max(0, settings.max_tfa_attempts - failures)
    audit_service.record(None, tenant_id=tenant_id, action="tfa_verification_failed", target_type="user", target_id=user_id,
                         actor="anonymous", actor_user_id=user_id, outcome="failure",
                         details={"remaining_attempts": remaining, "locked": remaining == 0})
    logger.warning("tfa code rejected", extra={"tenant_id": tenant_id, "user_id": user_id, "remaining_attempts": remaining})
    raise TfaCodeRejected(remaining)


def purge(tenant_id: str, user_id: str) -> None:
    """Delete everything TFA holds about a user (on user deletion)."""
    store.delete_record(tenant_id, user_id)
    store.clear_failures(tenant_id, user_id)
    trusted_devices.revoke_all(tenant_id, user_id)


def _accept(tenant_id: str, user_id: str, code: str) -> bool:
    """Try the code as TOTP first, then as a backup code (D25.8); a success is recorded so it cannot be replayed."""
    record = store.get_record(tenant_id, user_id)
    if not record or not record.get("enabled"):
        return False
    secret = crypto.open_sealed(record["secret_sealed"], tenant_id=tenant_id)
    step = totp.match_step(secret, code, at=clock.now(), last_used_step=record.get("last_used_step"))
    if step is not None:
        return store.advance_step(tenant_id, user_id, step=step)
    code_hash = totp.find_backup_code(code, record["backup_code_hashes"])
    return code_hash is not None and store.consume_backup_code(tenant_id, user_id, code_hash=code_hash)


def _raise_if_locked(tenant_id: str, user_id: str, settings: SecuritySettings) -> None:
    counter = store.get_failures(tenant_id, user_id)
    now = clock.epoch_seconds(clock.now())
    # The counter's expiry is also the end of the lock: failures are not counted while locked.
    if counter and counter["expires_at"] > now and counter["failures"] >= settings.max_tfa_attempts:
        raise TfaLocked(retry_after_seconds=counter["expires_at"] - now)


def _check_password(ctx: TenantContext, password: str, *, refusal: str) -> str:
    user = user_service.get_self(ctx)
    if user.get("password_hash") is None:
        raise errors.InvalidInput(refusal)
    if not passwords.verify(user["password_hash"], password):
        raise errors.Unauthenticated("Invalid password", code="invalid_password")
    return _user_id(ctx)


def _user_id(ctx: TenantContext) -> str:
    if not ctx.user_id:
        raise errors.Unauthenticated("Sign in required")
    return ctx.user_id
