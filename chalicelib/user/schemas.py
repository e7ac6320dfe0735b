"""User shapes: what admins and users send, and what they get back (never a password hash)."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _username(value: str) -> str:
    value = value.strip()
    if not USERNAME_RE.match(value):
        raise ValueError("Username must be at least 3 characters: letters, digits, dots, dashes or underscores")
    return value


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not EMAIL_RE.match(value):
        raise ValueError("A valid email address is required")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=256)


class _NewAccount(_Strict):
    username: str
    email: str
    password: str
    first_name: str | None = Field(default=None, max_length=100, alias="firstName")
    last_name: str | None = Field(default=None, max_length=100, alias="lastName")
    role: str | None = None  # ignored: the first user is always superadmin (D24.4)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    _u = field_validator("username")(_username)
    _e = field_validator("email")(_email)


class SetupAdmin(_NewAccount):
    # The token of the operator's setup link (`/setup?token=…`), when the organisation was created with one.
    setup_token: str | None = Field(default=None, max_length=128, alias="setupToken")


class Signup(_NewAccount):
    pass


class UserCreate(_Strict):
    username: str
    email: str
    password: str
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    role: str = "user"

    _u = field_validator("username")(_username)
    _e = field_validator("email")(_email)


class ProfileUpdate(_Strict):
    username: str | None = None
    email: str | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)

    @field_validator("username")
    @classmethod
    def _u(cls, v: str | None) -> str | None:
        return _username(v) if v is not None else v

    @field_validator("email")
    @classmethod
    def _e(cls, v: str | None) -> str | None:
        return _email(v) if v is not None else v


class UserUpdate(ProfileUpdate):
    role: str | None = None
    is_active: bool | None = None


class PasswordReset(_Strict):
    new_password: str = Field(alias="newPassword")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PasswordChange(_Strict):
    current_password: str = Field(alias="currentPassword")
    new_password: str = Field(alias="newPassword")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class UserRead(BaseModel):
    id: str
    username: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    role: str
    is_active: bool
    tfa_enabled: bool = False
    created_at: str
    updated_at: str
    last_login: str | None = None


def read(user: dict, *, tfa_enabled: bool = False) -> dict:
    """Return the public view of a stored user."""
    return UserRead(id=user["user_id"], username=user["username"], email=user["email"], first_name=user.get("first_name"),
                    last_name=user.get("last_name"), role=user["role"], is_active=bool(user.get("is_active", True)),
                    tfa_enabled=tfa_enabled, created_at=user["created_at"], updated_at=user["updated_at"],
                    last_login=user.get("last_login_at")).model_dump()
