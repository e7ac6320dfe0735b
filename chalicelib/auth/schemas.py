"""Shapes of the sign-in routes (PatchMon's field names)."""
from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=254, validation_alias=AliasChoices("username", "email"))
    password: str = Field(min_length=1, max_length=256)
    remember_me: bool = False


class VerifyTfa(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(default=None, max_length=254)
    token: str = Field(min_length=6, max_length=16)
    tfa_ticket: str = Field(min_length=16, max_length=128)
    remember_me: bool = False


class Refresh(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(default=None, max_length=4096)
