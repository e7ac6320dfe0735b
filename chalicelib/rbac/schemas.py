"""Role editing shapes."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RoleUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    permissions: list[str] | dict[str, bool] = Field(default_factory=list)
    preset: Literal["readonly", "operator", "admin", "clear"] | None = None
    label: str | None = Field(default=None, max_length=60)

    def granted(self) -> list[str]:
        """Return the granted permission keys (a preset, then the explicit ticks)."""
        from chalicelib.rbac.permissions import PRESETS

        chosen = set(PRESETS[self.preset]) if self.preset else set()
        if isinstance(self.permissions, dict):
            chosen |= {k for k, on in self.permissions.items() if on}
            chosen -= {k for k, on in self.permissions.items() if not on}
        else:
            chosen |= set(self.permissions)
        return sorted(chosen)
