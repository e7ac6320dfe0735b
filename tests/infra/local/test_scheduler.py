"""The local scheduler fires the template's rules and EventBridge Scheduler schedules as AWS would."""
from __future__ import annotations

import json
import sys
import types
from datetime import UTC, datetime, timedelta, timezone

import pytest

from infra.definition import DEFINITION
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.scheduler import LocalScheduler


@pytest.fixture
def heartbeat_calls(monkeypatch):
    calls: list[dict] = []
    module = types.ModuleType("functions.system_heartbeat")
    module.handler = lambda event, context: calls.append(event)
    monkeypatch.setitem(sys.modules, "functions.system_heartbeat", module)
    return calls


def _scheduler(aws) -> LocalScheduler:
    scheduler = LocalScheduler(aws.client, aws.resources, LambdaRuntime(DEFINITION, "test"))
    return scheduler


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _create(aws, name, expression, *, tz="UTC", action="NONE", state="ENABLED", start=None):
    kwargs = {}
    if start:
        kwargs["StartDate"] = start
    aws.client("scheduler").create_schedule(
        Name=name, GroupName=aws.resources.scheduler_group, ScheduleExpression=expression, ScheduleExpressionTimezone=tz,
        FlexibleTimeWindow={"Mode": "OFF"}, ActionAfterCompletion=action, State=state,
        Target={"Arn": aws.resources.queue_arns["agent-commands"], "RoleArn": aws.resources.scheduler_role_arn,
                "Input": json.dumps({"schedule": name})}, **kwargs)


def _received(aws) -> list[dict]:
    messages = aws.client("sqs").receive_message(QueueUrl=aws.resources.queue_urls["agent-commands"], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_rule_fires_its_function_with_a_scheduled_event_when_started(aws, heartbeat_calls):
    scheduler = _scheduler(aws)
    scheduler.tick(_now())
    assert len(heartbeat_calls) == 1
    event = heartbeat_calls[0]
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"
    assert event["resources"][0].endswith(f"rule/{aws.resources.rule_names['system-heartbeat']}")


def test_rate_rule_fires_again_after_its_interval_when_ticking(aws, heartbeat_calls):
    scheduler = _scheduler(aws)
    start = _now()
    scheduler.tick(start)
    scheduler.tick(start + timedelta(seconds=30))
    assert len(heartbeat_calls) == 1
    scheduler.tick(start + timedelta(seconds=60))
    assert len(heartbeat_calls) == 2


def test_disabled_rule_does_not_fire_when_due(aws, heartbeat_calls):
    aws.client("events").disable_rule(Name=aws.resources.rule_names["system-heartbeat"])
    _scheduler(aws).tick(_now())
    assert heartbeat_calls == []


def test_one_time_schedule_delivers_its_input_and_deletes_itself_when_due(aws, heartbeat_calls):
    at = _now() + timedelta(seconds=5)
    _create(aws, "once", f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})", action="DELETE")
    scheduler = _scheduler(aws)
    scheduler.tick(at - timedelta(seconds=1))
    assert _received(aws) == []
    scheduler.tick(at)
    assert _received(aws) == [{"schedule": "once"}]
    assert aws.client("scheduler").list_schedules(GroupName=aws.resources.scheduler_group)["Schedules"] == []


def test_one_time_schedule_fires_once_when_kept_after_completion(aws, heartbeat_calls):
    at = _now() + timedelta(seconds=5)
    _create(aws, "kept", f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})")
    scheduler = _scheduler(aws)
    scheduler.tick(at)
    scheduler.tick(at + timedelta(minutes=5))
    assert _received(aws) == [{"schedule": "kept"}]


def test_at_schedule_uses_its_timezone_when_one_is_given(aws, heartbeat_calls):
    local = datetime.now(timezone(timedelta(hours=9))).replace(microsecond=0, tzinfo=None) + timedelta(minutes=10)
    _create(aws, "tokyo", f"at({local.strftime('%Y-%m-%dT%H:%M:%S')})", tz="Asia/Tokyo")
    scheduler = _scheduler(aws)
    due_utc = (local - timedelta(hours=9)).replace(tzinfo=UTC)
    scheduler.tick(due_utc - timedelta(seconds=1))
    assert _received(aws) == []
    scheduler.tick(due_utc)
    assert _received(aws) == [{"schedule": "tokyo"}]


def test_disabled_schedule_does_not_fire_when_due(aws, heartbeat_calls):
    at = _now() + timedelta(seconds=5)
    _create(aws, "off", f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})", state="DISABLED")
    _scheduler(aws).tick(at + timedelta(seconds=1))
    assert _received(aws) == []


def test_recurring_schedule_fires_on_each_rate_interval_when_ticking(aws, heartbeat_calls):
    start = _now() + timedelta(seconds=10)
    _create(aws, "every-minute", "rate(1 minute)", start=start)
    scheduler = _scheduler(aws)
    scheduler.tick(start)
    scheduler.tick(start + timedelta(seconds=61))
    assert _received(aws) == [{"schedule": "every-minute"}, {"schedule": "every-minute"}]


def test_fired_state_survives_restore_when_scheduler_restarts(aws, heartbeat_calls):
    at = _now() + timedelta(seconds=5)
    _create(aws, "kept", f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})")
    first = _scheduler(aws)
    first.tick(at)
    second = _scheduler(aws)
    second.restore(first.state())
    second.tick(at + timedelta(seconds=10))
    assert _received(aws) == [{"schedule": "kept"}]


def test_cron_schedule_in_a_timezone_puts_its_scheduled_time_into_the_input(aws, heartbeat_calls):
    """Scheduler replaces <aws.scheduler.scheduled-time> with the occurrence's time (the maintenance windows use it)."""
    aws.client("scheduler").create_schedule(
        Name="window", GroupName=aws.resources.scheduler_group, ScheduleExpression="cron(30 3 ? * * *)",
        ScheduleExpressionTimezone="Asia/Tokyo", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": aws.resources.queue_arns["agent-commands"], "RoleArn": aws.resources.scheduler_role_arn,
                "Input": json.dumps({"at": "<aws.scheduler.scheduled-time>"})})
    scheduler = _scheduler(aws)
    today = _now().replace(hour=18, minute=30, second=0)  # 03:30 in Tokyo (UTC+9), the next day there
    due = today if today > _now() else today + timedelta(days=1)
    scheduler.tick(due - timedelta(seconds=1))
    assert _received(aws) == []
    scheduler.tick(due)
    assert _received(aws) == [{"at": due.strftime("%Y-%m-%dT%H:%M:%SZ")}]
