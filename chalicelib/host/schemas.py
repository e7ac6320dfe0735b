"""Host shapes (PatchMon's field names where the reference has them)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    friendly_name: str = Field(min_length=1, max_length=255)
    host_group_ids: list[str] = Field(default_factory=list, alias="hostGroupIds", max_length=50)
    docker_enabled: bool = False
    compliance_enabled: bool = False
    expected_platform: str | None = Field(default=None, max_length=32)


class FriendlyNameUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    friendly_name: str = Field(min_length=1, max_length=255, alias="friendlyName")


class HostGroupsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    group_ids: list[str] = Field(alias="groupIds", max_length=50)


class BulkGroupsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host_ids: list[str] = Field(alias="hostIds", min_length=1, max_length=500)
    group_ids: list[str] = Field(alias="groupIds", max_length=50)


class AutoUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    auto_update: bool = Field(alias="autoUpdate")


class HostGroupWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    color: str = Field(default="#3B82F6", pattern=r"^#[0-9A-Fa-f]{6}$")


class BulkDelete(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host_ids: list[str] = Field(alias="hostIds", min_length=1, max_length=500)
