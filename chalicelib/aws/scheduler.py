"""One-time EventBridge Scheduler schedules in the product's schedule group."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.db import client
from chalicelib.core.settings import get_settings


def create_one_time(*, name: str, at: datetime, target_arn: str, payload: dict[str, Any]) -> None:
    """Create a schedule that delivers `payload` to `target_arn` once at `at`, then deletes itself."""
    settings = get_settings()
    client("scheduler").create_schedule(
        Name=name,
        GroupName=settings.scheduler_group,
        ScheduleExpression=f"at({at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={"Arn": target_arn, "RoleArn": settings.scheduler_role_arn, "Input": json.dumps(payload, separators=(",", ":"))},
    )


def put_recurring(*, name: str, expression: str, timezone: str, target_arn: str, payload: dict[str, Any], enabled: bool) -> None:
    """Create the recurring schedule `name`, or change it in place when it exists (DISABLED while not `enabled`)."""
    settings = get_settings()
    spec = {"Name": name, "GroupName": settings.scheduler_group, "ScheduleExpression": expression, "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED" if enabled else "DISABLED",
            "Target": {"Arn": target_arn, "RoleArn": settings.scheduler_role_arn, "Input": json.dumps(payload, separators=(",", ":"))}}
    try:
        client("scheduler").update_schedule(**spec)
    except ClientError as exc:
        if not _missing(exc):
            raise
        client("scheduler").create_schedule(**spec)


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException"


def delete(name: str) -> bool:
    """Delete a schedule of the group; return False when it did not exist (already fired or deleted)."""
    try:
        client("scheduler").delete_schedule(Name=name, GroupName=get_settings().scheduler_group)
    except ClientError as exc:
        if _missing(exc):
            return False
        raise
    return True


def group_exists() -> bool:
    """Tell whether the product's schedule group exists (used by the health check)."""
    try:
        client("scheduler").get_schedule_group(Name=get_settings().scheduler_group)
    except ClientError as exc:
        if _missing(exc):
            return False
        raise
    return True
