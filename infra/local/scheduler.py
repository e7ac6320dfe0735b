"""Fire schedules as AWS would: EventBridge rules of the template and EventBridge Scheduler schedules.

moto stores rules and schedules but never fires them. This ticker reads them from moto, works out
when each is due (`chalicelib.core.schedule_expressions`) and delivers to the target: a function is
invoked with the event AWS would send, an SQS queue receives the schedule's input. One-time `at()`
schedules fire once and are deleted when `ActionAfterCompletion` is DELETE.
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.schedule_expressions import InvalidScheduleExpression, next_fire_time, parse
from infra.local.aws import ACCOUNT_ID, REGION, ClientFactory, Resources
from infra.local.lambda_runtime import LambdaRuntime

log = logging.getLogger("patchmon.local.scheduler")
_EPSILON = timedelta(seconds=1)
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"  # replaced by the occurrence's time, as EventBridge Scheduler does


def _now() -> datetime:
    return datetime.now(UTC)


class LocalScheduler:
    """A ticker thread that fires due rules and schedules."""

    def __init__(self, clients: ClientFactory, resources: Resources, runtime: LambdaRuntime, *, tick_seconds: float = 0.5) -> None:
        self._events = clients("events")
        self._scheduler = clients("scheduler")
        self._sqs = clients("sqs")
        self._resources = resources
        self._runtime = runtime
        self._tick = tick_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_rule_fire: dict[str, datetime] = {}
        self._last_fired: dict[str, str] = {}  # schedule key -> ISO time of the last firing (persisted)
        self.fired_count = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def state(self) -> dict[str, Any]:
        return {"last_fired": dict(self._last_fired)}

    def restore(self, state: dict[str, Any]) -> None:
        self._last_fired.update(state.get("last_fired", {}))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick(_now())
            except Exception:
                log.exception("scheduler tick failed")
            self._stop.wait(self._tick)

    def tick(self, now: datetime) -> None:
        """Fire everything due at `now`."""
        self._fire_rules(now)
        self._fire_schedules(now)

    # --- EventBridge rules (the template's rate/cron schedules) ---------------------------------
    def _fire_rules(self, now: datetime) -> None:
        for rule in self._events.list_rules().get("Rules", []):
            expression = rule.get("ScheduleExpression")
            if not expression or rule.get("State") != "ENABLED":
                continue
            # A rule fires when first seen (so a fresh stack shows life at once), then on its schedule.
            due = self._next_rule_fire.get(rule["Name"], now)
            if now < due:
                continue
            self._next_rule_fire[rule["Name"]] = next_fire_time(parse(expression), after=now, anchor=now) or datetime.max.replace(tzinfo=UTC)
            event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
                     "account": ACCOUNT_ID, "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
                     "resources": [rule["Arn"]], "detail": {}}
            for target in self._events.list_targets_by_rule(Rule=rule["Name"]).get("Targets", []):
                self._deliver(target["Arn"], event, f"rule {rule['Name']}")

    # --- EventBridge Scheduler schedules (created at run time) ----------------------------------
    def _fire_schedules(self, now: datetime) -> None:
        for group in self._scheduler.list_schedule_groups().get("ScheduleGroups", []):
            for summary in self._scheduler.list_schedules(GroupName=group["Name"]).get("Schedules", []):
                if summary.get("State") != "ENABLED":
                    continue
                schedule = self._scheduler.get_schedule(Name=summary["Name"], GroupName=group["Name"])
                self._maybe_fire(schedule, now)

    def _maybe_fire(self, schedule: dict[str, Any], now: datetime) -> None:
        key = f"{schedule['GroupName']}/{schedule['Name']}"
        try:
            expression = parse(schedule["ScheduleExpression"])
        except InvalidScheduleExpression:
            log.warning("schedule %s has an invalid expression; it never fires", key)
            return
        created = schedule.get("CreationDate") or now
        last = self._last_fired.get(key)
        after = datetime.fromisoformat(last) if last else created - _EPSILON
        start = schedule.get("StartDate")
        if start and after < start:
            after = start - _EPSILON
        due = next_fire_time(expression, after=after, timezone=schedule.get("ScheduleExpressionTimezone") or "UTC", anchor=start or created)
        end = schedule.get("EndDate")
        if due is None or due > now or (end and due > end):
            return
        self._last_fired[key] = now.isoformat()
        target = schedule["Target"]
        payload: Any = target.get("Input", "")
        if isinstance(payload, str):  # Scheduler's context attributes in the input
            payload = payload.replace(SCHEDULED_TIME, due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self._deliver(target["Arn"], payload, f"schedule {key}")
        if schedule["ScheduleExpression"].startswith("at(") and schedule.get("ActionAfterCompletion") == "DELETE":
            self._scheduler.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])
            self._last_fired.pop(key, None)

    def _deliver(self, arn: str, payload: Any, source: str) -> None:
        self.fired_count += 1
        queue = self._resources.queue_name_by_arn(arn)
        if queue is not None:
            body = payload if isinstance(payload, str) else json.dumps(payload)
            self._sqs.send_message(QueueUrl=self._resources.queue_urls[queue], MessageBody=body)
            log.info("%s fired: message sent to queue %s", source, queue)
            return
        fn = self._runtime.function_by_arn(arn)
        if fn is None:
            log.warning("%s fired at unknown target %s", source, arn)
            return
        event = json.loads(payload) if isinstance(payload, str) and payload else payload or {}
        log.info("%s fired: invoking %s", source, fn.name)
        try:
            self._runtime.invoke(fn.name, event)
        except Exception:
            # Scheduler and EventBridge retry failed async invocations; locally, the next firing is the retry.
            log.exception("function %s failed on a scheduled event", fn.name)

