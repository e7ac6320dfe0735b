"""Request shapes of the patching API (the reference's field names)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.patching import model, timing

PackageName = Annotated[str, Field(min_length=1, max_length=model.MAX_PACKAGE_NAME_LENGTH, pattern=model.PACKAGE_NAME_PATTERN)]
HostId = Annotated[str, Field(min_length=1, max_length=64)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Limit = Annotated[int | Annotated[str, Field(pattern=r"^(100|[1-9][0-9]?)%$")], Field(union_mode="left_to_right")]


class RolloutSpec(BaseModel):
    """How the runs of one trigger or window opening roll out (docs/patching.md, "Rollouts")."""

    model_config = ConfigDict(extra="forbid")

    max_concurrency: Limit | None = None  # hosts at once: a count or "N%"; none = all at once
    max_errors: Limit | None = None  # stop after this many failed runs: a count or "M%"; none = never
    first_ring_group_id: str | None = Field(default=None, max_length=64)
    first_ring_host_ids: list[str] | None = Field(default=None, max_length=1000)
    ring_success_threshold: int = Field(default=100, ge=1, le=100)

    @model_validator(mode="after")
    def _valid(self) -> RolloutSpec:
        if self.first_ring_group_id and self.first_ring_host_ids:
            raise ValueError("give first_ring_group_id or first_ring_host_ids, not both")
        for name in ("max_concurrency", "max_errors"):
            value = getattr(self, name)
            if isinstance(value, int) and value < 1:
                raise ValueError(f"{name} must be at least 1")
        return self


class TriggerRequest(BaseModel):
    """POST /patching/trigger: one run per host."""

    model_config = ConfigDict(extra="forbid")

    host_id: HostId | None = None
    host_ids: list[HostId] | None = Field(default=None, min_length=1, max_length=model.MAX_HOSTS_PER_TRIGGER)
    patch_type: Literal["patch_all", "patch_package"]
    package_name: PackageName | None = None
    package_names: list[PackageName] | None = Field(default=None, min_length=1, max_length=model.MAX_PACKAGE_NAMES)
    dry_run: bool = False
    pending_approval: bool = False
    schedule_override: Literal["immediate"] | None = None
    rollout: RolloutSpec | None = None
    reboot_policy: Literal["never", "if_required", "always"] | None = None  # this run's own, over the policy's

    @model_validator(mode="after")
    def _consistent(self) -> TriggerRequest:
        if (self.host_id is None) == (self.host_ids is None):
            raise ValueError("give host_id or host_ids")
        if self.patch_type == model.PATCH_PACKAGE and not (self.package_name or self.package_names):
            raise ValueError("patch_package needs package_name or package_names")
        if self.patch_type == model.PATCH_ALL and (self.package_name or self.package_names):
            raise ValueError("patch_all takes no package names")
        if self.package_name and self.package_names:
            raise ValueError("give package_name or package_names, not both")
        if self.dry_run and self.patch_type != model.PATCH_PACKAGE:
            raise ValueError("dry_run is only valid for patch_package")
        if self.dry_run and self.pending_approval:
            raise ValueError("dry_run and pending_approval cannot be combined")
        if self.rollout and (self.dry_run or self.pending_approval):
            raise ValueError("a rollout is for runs that start now: not with dry_run or pending_approval")
        return self

    @property
    def hosts(self) -> list[str]:
        return list(dict.fromkeys(self.host_ids or [self.host_id]))

    @property
    def packages(self) -> list[str]:
        return list(dict.fromkeys(self.package_names or ([self.package_name] if self.package_name else [])))


class ApproveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule_override: Literal["immediate"] | None = None
    reboot_policy: Literal["never", "if_required", "always"] | None = None


class RebootReport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    policy: Literal["never", "if_required", "always"] | None = None
    required: bool | None = None
    decision: Literal["rebooting", "not_required", "not_allowed", "skipped"] | None = None
    reason: str | None = Field(default=None, max_length=500)
    kernel_before: str | None = Field(default=None, max_length=200)
    kernel_after: str | None = Field(default=None, max_length=200)
    new_kernel: bool | None = None
    booted_at: str | None = Field(default=None, max_length=40)


class OutputRequest(BaseModel):
    """POST /patching/runs/{id}/output from the host's agent."""

    model_config = ConfigDict(extra="ignore")  # agents may send fields a newer server would know

    stage: Literal["started", "progress", "completed", "failed", "cancelled", "dry_run_completed", "validated", "rebooted",
                   "reboot_failed"]
    output: str | None = None
    error_message: str | None = Field(default=None, max_length=10_000)
    packages_affected: list[dict] | None = Field(default=None, max_length=10_000)
    reboot: RebootReport | None = None  # our agent's extension: the reboot decision, and after `rebooted` the kernels


def _valid_time(value: str | None) -> str | None:
    if value is not None:
        timing.parse_hhmm(value)
        return value[:5]
    return value


def _valid_zone(value: str | None) -> str | None:
    if value:
        timing.zone(value)
    return value or None


WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class WindowSpec(BaseModel):
    """A maintenance window: weekdays and a time, or an EventBridge cron expression, in the policy's timezone."""

    model_config = ConfigDict(extra="forbid")

    days: list[Literal["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]] | None = Field(default=None, min_length=1, max_length=7)
    time: Annotated[str | None, AfterValidator(_valid_time)] = Field(default=None, max_length=8)
    cron: str | None = Field(default=None, max_length=120, pattern=r"^cron\([^()]+\)$")
    duration_minutes: int = Field(default=180, ge=15, le=1440)
    operation: Literal["patch_all", "security"] = "patch_all"
    warn_minutes: int = Field(default=0, ge=0, le=1440)
    paused: bool = False
    rollout: RolloutSpec | None = None

    @model_validator(mode="after")
    def _one_schedule(self) -> WindowSpec:
        if self.cron and (self.days or self.time):
            raise ValueError("give days and time, or cron, not both")
        if not self.cron and not (self.days and self.time):
            raise ValueError("give days and time (HH:MM), or a cron expression")
        if self.days:
            self.days = sorted(set(self.days), key=WEEKDAYS.index)
        if self.cron and self.warn_minutes:
            raise ValueError("a warning before the window needs days and time, not a cron expression")
        return self


class PolicyWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
    description: str | None = Field(default=None, max_length=500)
    patch_delay_type: Literal["immediate", "delayed", "fixed_time", "maintenance_window"]
    delay_minutes: int | None = Field(default=None, ge=1, le=10_080)
    fixed_time: Annotated[str | None, AfterValidator(_valid_time)] = Field(default=None, max_length=8)
    fixed_time_utc: Annotated[str | None, AfterValidator(_valid_time)] = Field(default=None, max_length=8)  # the reference's name
    timezone: Annotated[str | None, AfterValidator(_valid_zone)] = Field(default=None, max_length=64)
    # Beyond PatchMon (docs/patching.md): what happens around the package operation of the runs this policy times.
    reboot_policy: Literal["never", "if_required", "always"] = "never"
    pre_hooks: Hooks
    post_hooks: Hooks
    post_reboot_hooks: Hooks
    window: WindowSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PolicyWrite:
        self.fixed_time = self.fixed_time or self.fixed_time_utc
        self.fixed_time_utc = None
        if self.patch_delay_type == timing.DELAYED and self.delay_minutes is None:
            raise ValueError("delay_minutes is required for a delayed policy")
        if self.patch_delay_type == timing.FIXED_TIME and self.fixed_time is None:
            raise ValueError("fixed_time (HH:MM) is required for a fixed-time policy")
        if self.patch_delay_type != timing.DELAYED:
            self.delay_minutes = None
        if self.patch_delay_type != timing.FIXED_TIME:
            self.fixed_time = None
        if self.patch_delay_type == timing.MAINTENANCE_WINDOW and self.window is None:
            raise ValueError("window is required for a maintenance window")
        if self.patch_delay_type != timing.MAINTENANCE_WINDOW:
            self.window = None
        return self


def _valid_hooks(value: list[str]) -> list[str]:
    for command in value:
        if not command.strip() or "\x00" in command or "\n" in command:
            raise ValueError("each hook is one non-empty line")
    return value


Hooks = Annotated[list[Annotated[str, Field(min_length=1, max_length=1024)]], Field(default_factory=list, max_length=10),
                  AfterValidator(_valid_hooks)]


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: Literal["host", "host_group"]
    target_id: HostId


class ExclusionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host_id: HostId


class HoldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: Literal["host", "host_group"]
    target_id: HostId
    pattern: str = Field(min_length=1, max_length=model.MAX_PACKAGE_NAME_LENGTH, pattern=model.HOLD_PATTERN)
    reason: str | None = Field(default=None, max_length=500)
