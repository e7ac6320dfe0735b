"""Record and read a tenant's domain events.

Events are facts for consumers (alert rules, notifications, the UI's activity views) to act on; they are
written once, never changed, and expire after EVENT_RETENTION (DynamoDB TTL).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from boto3.dynamodb.conditions import Key

from chalicelib.core import clock, ids, keys
from chalicelib.core.db import main_table, to_dynamo
from chalicelib.core.observability import logger, metrics

EventType = Literal["host_down", "host_recovered", "patch_run_started", "patch_run_approved", "patch_run_completed", "patch_run_failed",
                    "patch_run_cancelled", "patch_reboot_required", "patch_host_rebooted", "maintenance_window_upcoming",
                    "maintenance_window_opened"]
SEVERITY: dict[str, str] = {"host_down": "warning", "host_recovered": "informational", "patch_run_started": "informational",
                            "patch_run_approved": "informational", "patch_run_completed": "informational", "patch_run_failed": "error",
                            "patch_run_cancelled": "informational", "patch_reboot_required": "warning",
                            "patch_host_rebooted": "informational", "maintenance_window_upcoming": "informational",
                            "maintenance_window_opened": "informational"}
EVENT_RETENTION = timedelta(days=90)


def record(tenant_id: str, event_type: EventType, *, subject_type: str, subject_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store one event and return it."""
    now = clock.now()
    at, event_id = clock.iso(now), ids.new_id()
    pk, sk = keys.event_key(tenant_id, at, event_id)
    event = {"event_id": event_id, "type": event_type, "severity": SEVERITY[event_type], "at": at, "subject_type": subject_type,
             "subject_id": subject_id, "data": data or {}}
    main_table().put_item(Item=to_dynamo({"pk": pk, "sk": sk, **event, "expires_at": clock.epoch_seconds(now + EVENT_RETENTION)}))
    logger.info("domain event", extra={"tenant_id": tenant_id, "event_type": event_type, "subject_id": subject_id})
    metrics.add_metric(name=f"Event_{event_type}", unit="Count", value=1)
    return event


def recent(tenant_id: str, *, limit: int = 50, event_type: str | None = None) -> list[dict[str, Any]]:
    """The tenant's latest events, newest first."""
    partition, prefix = keys.events(tenant_id)
    response = main_table().query(KeyConditionExpression=Key("pk").eq(partition) & Key("sk").begins_with(prefix), ScanIndexForward=False,
                                  Limit=limit)
    items = [{k: v for k, v in i.items() if k not in ("pk", "sk", "expires_at")} for i in response["Items"]]
    return [i for i in items if event_type is None or i["type"] == event_type]
