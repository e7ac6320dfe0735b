"""Maintenance windows: a policy that patches its hosts by itself on a recurring schedule (docs/patching.md).

Each window policy owns two EventBridge Scheduler schedules in the product's group, kept in step with it:
`mw-<policy>` fires when the window opens and `mww-<policy>` a warning before (when asked for). Both are cron
schedules in the window's timezone, so AWS follows DST (a time that does not exist that day is skipped, a
repeated one fires once). They drop a message on `agent-commands`; the worker creates one run per host of the
window, each with `not_after` = the window's end: a run not started by then is cancelled, never started late.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.aws import scheduler
from chalicelib.core import clock, errors, keys, schedule_expressions
from chalicelib.core.db import main_table
from chalicelib.core.observability import logger, metrics
from chalicelib.core.settings import get_settings

DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"  # Scheduler puts the occurrence's time into the message here


def open_schedule_name(policy_id: str) -> str:
    return f"mw-{policy_id}"


def warning_schedule_name(policy_id: str) -> str:
    return f"mww-{policy_id}"


def cron_of(window: dict[str, Any]) -> str:
    """The EventBridge cron expression of a window's opening: its own, or built from weekdays and HH:MM."""
    if window.get("cron"):
        return window["cron"]
    hour, minute = (int(part) for part in window["time"].split(":")[:2])
    return f"cron({minute} {hour} ? * {','.join(window['days'])} *)"


def warning_cron_of(window: dict[str, Any]) -> str | None:
    """The cron expression `warn_minutes` before each opening (weekdays shift when that crosses midnight)."""
    warn = int(window.get("warn_minutes") or 0)
    if not warn or window.get("cron"):
        return None
    hour, minute = (int(part) for part in window["time"].split(":")[:2])
    total = hour * 60 + minute - warn
    day_shift, at = divmod(total, 24 * 60)
    days = [DAYS[(DAYS.index(day) + day_shift) % 7] for day in window["days"]]
    return f"cron({at % 60} {at // 60} ? * {','.join(days)} *)"


def validate(window: dict[str, Any], timezone: str) -> None:
    """Raise ValueError when EventBridge would refuse the window's schedule."""
    schedule_expressions.parse(cron_of(window))
    schedule_expressions.next_fire_time(schedule_expressions.parse(cron_of(window)), after=clock.now(), timezone=timezone)


def next_opening(window: dict[str, Any], *, timezone: str, after: datetime) -> datetime | None:
    """When the window next opens after `after` (None when its schedule never fires again)."""
    return schedule_expressions.next_fire_time(schedule_expressions.parse(cron_of(window)), after=after, timezone=timezone)


# --- the schedules ---------------------------------------------------------------------------------
def _put_window(name: str, *, expression: str, timezone: str, message: dict[str, Any], enabled: bool) -> None:
    scheduler.put_recurring(name=name, expression=expression, timezone=timezone, target_arn=get_settings().agent_commands_queue_arn,
                            payload=message, enabled=enabled)


def sync_schedules(tenant_id: str, policy: dict[str, Any], *, timezone: str) -> None:
    """Make the policy's schedules match it: created or changed for a window, disabled while paused, gone otherwise."""
    window = policy.get("window") if policy.get("patch_delay_type") == "maintenance_window" else None
    if not window:
        delete_schedules(policy["policy_id"])
        return
    base = {"version": 1, "tenant_id": tenant_id, "policy_id": policy["policy_id"], "scheduled_time": SCHEDULED_TIME}
    enabled = not window.get("paused")
    _put_window(open_schedule_name(policy["policy_id"]), expression=cron_of(window), timezone=timezone,
         message={"type": "patching.window_opened", **base}, enabled=enabled)
    warning = warning_cron_of(window)
    if warning:
        _put_window(warning_schedule_name(policy["policy_id"]), expression=warning, timezone=timezone,
             message={"type": "patching.window_warning", **base}, enabled=enabled)
    else:
        scheduler.delete(warning_schedule_name(policy["policy_id"]))


def delete_schedules(policy_id: str) -> None:
    scheduler.delete(open_schedule_name(policy_id))
    scheduler.delete(warning_schedule_name(policy_id))


# --- an occurrence ----------------------------------------------------------------------------------
def claim_occurrence(tenant_id: str, policy_id: str, occurrence: str, *, kind: str) -> bool:
    """Record that this occurrence was handled; False when it already was (a redelivered message)."""
    item = {"pk": keys.patch_policy_partition(tenant_id, policy_id), "sk": f"{kind}#{occurrence}", "handled_at": clock.iso(clock.now()),
            "expires_at": clock.epoch_seconds(clock.now() + timedelta(days=30))}
    try:
        main_table().put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def occurrence_time(scheduled_time: str) -> datetime:
    """The occurrence's time from the message (Scheduler's `2026-11-29T03:00:00Z`); now when it was not substituted."""
    try:
        return clock.parse_iso(scheduled_time)
    except ValueError:
        logger.warning("window message without its scheduled time; using now", extra={"scheduled_time": scheduled_time})
        metrics.add_metric(name="WindowMessagesWithoutTime", unit="Count", value=1)
        return clock.now()


def refuse_invalid(window: dict[str, Any], timezone: str) -> None:
    try:
        validate(window, timezone)
    except (ValueError, schedule_expressions.InvalidScheduleExpression) as exc:
        raise errors.InvalidInput(f"window: {exc}") from None
