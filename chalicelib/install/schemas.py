"""Shapes of the install, bootstrap and agent-build endpoints."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Values that end up inside a shell script or a URL are held to a conservative alphabet.
ARCH_PATTERN = r"^[A-Za-z0-9_.-]{0,32}$"
TOKEN_PATTERN = r"^[0-9a-fA-F]{64}$"  # noqa: S105 (a pattern, not a secret)


class BootstrapExchange(BaseModel):
    """The body of POST /hosts/bootstrap/exchange."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(pattern=TOKEN_PATTERN, description="The install script's one-time bootstrap token (64 hex)")

    @field_validator("token")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class BootstrapCredentials(BaseModel):
    apiId: str  # the agent protocol's wire names
    apiKey: str


class InstallQuery(BaseModel):
    """Query of GET /hosts/install."""

    model_config = ConfigDict(extra="ignore")

    force: bool = False
    arch: str = Field(default="", pattern=ARCH_PATTERN)
    os: str = Field(default="", max_length=32)

    @field_validator("os", "arch", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class PlatformQuery(BaseModel):
    """Query of the agent version and download endpoints."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    arch: str = Field(default="", pattern=ARCH_PATTERN)
    os: str = Field(default="", max_length=32)
    type: str = Field(default="", max_length=32)
    current_version: str = Field(default="", alias="currentVersion", max_length=64)

    @field_validator("os", "arch", "type", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class AgentVersionRead(BaseModel):
    """The version answer, field for field as the reference server's (spec §2.4)."""

    currentVersion: str | None
    latestVersion: str
    hasUpdate: bool
    autoUpdateDisabled: bool
    autoUpdateDisabledReason: str | None
    downloadUrl: str
    releaseNotes: str | None
    minServerVersion: str | None
    architecture: str | None
    agentType: str
    hash: str
