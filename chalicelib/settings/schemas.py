"""The agent and server settings of the settings page (Settings → Agent Updates, Server URL), as the API shows them."""
from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

HOSTNAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"


def _alias(name: str, camel: str) -> AliasChoices:
    # The reference accepts both spellings of every field (S/handler/settings.go getReq*), so its UI works unchanged.
    return AliasChoices(name, camel)


class SettingsUpdate(BaseModel):
    """A partial change: fields left out keep their values. `server_url` null or "" means "the address the request came in on";
    `server_protocol` / `server_host` / `server_port` rebuild the URL from its parts when `server_url` is not given."""

    model_config = ConfigDict(extra="forbid", strict=True)

    update_interval: int | None = Field(default=None, ge=5, le=1440, validation_alias=_alias("update_interval", "updateInterval"),
                                        description="Minutes between agent reports; connected agents pick a change up live")
    auto_update: bool | None = Field(default=None, validation_alias=_alias("auto_update", "autoUpdate"),
                                     description="Global agent auto-update (hosts can opt out one by one)")
    signup_enabled: bool | None = Field(default=None, validation_alias=_alias("signup_enabled", "signupEnabled"))
    server_url: str | None = Field(default=None, max_length=255, validation_alias=_alias("server_url", "serverUrl"))
    server_protocol: Literal["http", "https"] | None = Field(default=None, validation_alias=_alias("server_protocol", "serverProtocol"))
    server_host: str | None = Field(default=None, max_length=253, pattern=HOSTNAME_PATTERN,
                                    validation_alias=_alias("server_host", "serverHost"))
    server_port: int | None = Field(default=None, ge=1, le=65535, validation_alias=_alias("server_port", "serverPort"))
    agent_reports_retention_days: int | None = Field(default=None, ge=7, le=365,
                                                     validation_alias=_alias("agent_reports_retention_days", "agentReportsRetentionDays"),
                                                     description="Days each host's report history is kept")
    timezone: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="IANA timezone of the organisation (fixed-time patch policies follow it)")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            from chalicelib.patching.timing import zone

            zone(value)
        return value


class SettingsRead(BaseModel):
    update_interval: int
    auto_update: bool
    signup_enabled: bool
    server_url: str | None = Field(description="None: install commands use the address the request came in on")
    server_protocol: Literal["http", "https"] | None
    server_host: str | None
    server_port: int | None
    agent_reports_retention_days: int
    timezone: str


class ServerUrlRead(BaseModel):
    server_url: str
