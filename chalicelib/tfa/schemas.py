"""Request and response shapes of the TFA and trusted-device routes."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TfaSetupVerify(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    token: str = Field(min_length=6, max_length=16)


class TfaPasswordConfirm(BaseModel):
    """The account password, re-entered to disable TFA or regenerate backup codes."""

    model_config = ConfigDict(extra="forbid", strict=True)

    password: str = Field(min_length=1, max_length=256)


class TfaSetupRead(BaseModel):
    secret: str
    otpauth_url: str
    qr_code: str


class BackupCodesRead(BaseModel):
    backup_codes: list[str]


class TfaStatusRead(BaseModel):
    enabled: bool
    backup_codes_remaining: int


class TrustedDeviceRead(BaseModel):
    id: str
    label: str
    user_agent: str
    ip_address: str
    created_at: str
    last_used_at: str
    expires_at: str
    is_current: bool


class TrustedDeviceList(BaseModel):
    devices: list[TrustedDeviceRead]


class MessageRead(BaseModel):
    message: str
