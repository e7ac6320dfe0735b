"""Host shapes (PatchMon's field names where the reference has them)."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _not_blank(value: str) -> str:
    # min_length counts spaces: a name made only of whitespace would pass it and show as an empty label.
    if not value.strip():
        raise ValueError("must not be blank")
    return value


FriendlyName = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_not_blank)]


class HostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    friendly_name: FriendlyName
    host_group_ids: list[str] = Field(default_factory=list, alias="hostGroupIds", max_length=50)
    docker_enabled: bool = False
    compliance_enabled: bool = False
    expected_platform: str | None = Field(default=None, max_length=32)


class FriendlyNameUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    friendly_name: FriendlyName = Field(alias="friendlyName")


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

    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
    description: str | None = Field(default=None, max_length=500)
    color: str = Field(default="#3B82F6", pattern=r"^#[0-9A-Fa-f]{6}$")


class BulkDelete(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host_ids: list[str] = Field(alias="hostIds", min_length=1, max_length=500)
