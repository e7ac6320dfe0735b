"""Keep the local stack's data across restarts: moto holds everything in memory only.

A snapshot holds every table's items, the messages waiting in every queue, the EventBridge
Scheduler schedules and the local scheduler's state. It is written atomically to the data directory
periodically and at shutdown, and restored into freshly provisioned resources at start.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import pathlib
import tempfile
import time
from typing import Any

from moto.kms.models import kms_backends
from moto.sqs.models import sqs_backends

from infra.local import moto_dynamodb
from infra.local.aws import ACCOUNT_ID, REGION, ClientFactory, Resources

log = logging.getLogger("patchmon.local.persistence")
SNAPSHOT_VERSION = 1


def take(clients: ClientFactory, resources: Resources, scheduler_state: dict[str, Any]) -> dict[str, Any]:
    """Read everything worth keeping out of moto."""
    tables = {logical: moto_dynamodb.export_items(name, account_id=ACCOUNT_ID, region=REGION) for logical, name in resources.tables.items()}
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": time.time(),
        "tables": tables,
        "queues": {logical: _queue_messages(url) for logical, url in resources.queue_urls.items()},
        "schedules": _schedules(clients),
        "secrets": {name: clients("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
                    for name, arn in resources.secret_arns.items()},
        "data_key": _data_key(resources.data_key_arn),
        "scheduler": scheduler_state,
    }


def _queue_messages(queue_url: str) -> list[dict[str, Any]]:
    # Reading through the API would count as receives (and could redrive messages to the DLQ), so
    # the snapshot reads moto's in-process queue directly.
    name = queue_url.rstrip("/").rsplit("/", 1)[-1]
    queue = sqs_backends[ACCOUNT_ID][REGION].queues.get(name)
    if queue is None:
        return []
    now = time.time()
    return [{"body": m.body, "attributes": m.message_attributes or {}, "delay": max(0, int(m.delayed_until - now))}
            for m in list(queue._messages)]


def _data_key(arn: str) -> dict[str, Any] | None:
    # moto's ciphertexts name the key that made them and use its in-memory material: keep both,
    # or every envelope-encrypted field would be lost at restart.
    if not arn:
        return None
    key = kms_backends[ACCOUNT_ID][REGION].keys[arn.rsplit("/", 1)[-1]]
    return {"key_id": key.id, "material": key.key_material}


def _restore_data_key(arn: str, saved: dict[str, Any] | None) -> None:
    if not (arn and saved):
        return
    backend = kms_backends[ACCOUNT_ID][REGION]
    key = backend.keys[arn.rsplit("/", 1)[-1]]
    key.key_material = saved["material"]
    backend.keys[saved["key_id"]] = key  # old ciphertexts name the old id


def _schedules(clients: ClientFactory) -> list[dict[str, Any]]:
    scheduler = clients("scheduler")
    kept: list[dict[str, Any]] = []
    for group in scheduler.list_schedule_groups()["ScheduleGroups"]:
        for summary in scheduler.list_schedules(GroupName=group["Name"])["Schedules"]:
            full = scheduler.get_schedule(Name=summary["Name"], GroupName=group["Name"])
            kept.append({k: full[k] for k in ("Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
                                              "FlexibleTimeWindow", "Target", "State", "ActionAfterCompletion",
                                              "Description", "StartDate", "EndDate") if full.get(k) is not None})
    return kept


def restore(clients: ClientFactory, resources: Resources, snapshot: dict[str, Any]) -> dict[str, int]:
    """Put a snapshot's data back into freshly provisioned resources; return counts restored."""
    ddb, sqs, scheduler = clients("dynamodb"), clients("sqs"), clients("scheduler")
    counts = {"items": 0, "messages": 0, "schedules": 0}
    for logical, items in snapshot.get("tables", {}).items():
        name = resources.tables.get(logical)
        if name is None:
            log.warning("snapshot table %s is no longer defined; its items are dropped", logical)
            continue
        for start in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
            ddb.batch_write_item(RequestItems={name: batch})
            counts["items"] += len(batch)
    for logical, messages in snapshot.get("queues", {}).items():
        url = resources.queue_urls.get(logical)
        for message in messages if url else []:
            kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": message["body"], "DelaySeconds": min(900, message["delay"])}
            if message.get("attributes"):
                kwargs["MessageAttributes"] = message["attributes"]
            sqs.send_message(**kwargs)
            counts["messages"] += 1
    for name, value in snapshot.get("secrets", {}).items():
        if name in resources.secret_arns:
            clients("secretsmanager").put_secret_value(SecretId=resources.secret_arns[name], SecretString=value)
    _restore_data_key(resources.data_key_arn, snapshot.get("data_key"))
    for schedule in snapshot.get("schedules", []):
        try:
            scheduler.create_schedule(**schedule)
            counts["schedules"] += 1
        except scheduler.exceptions.ConflictException:
            pass
    return counts


def _encode(value: Any) -> Any:
    # DynamoDB binary attributes come back from boto3 as bytes; JSON keeps them as base64.
    if isinstance(value, (bytes, bytearray)):
        return {"__b64__": base64.b64encode(value).decode()}
    return str(value)


def _decode(obj: dict[str, Any]) -> Any:
    return base64.b64decode(obj["__b64__"]) if set(obj) == {"__b64__"} else obj


def load(path: pathlib.Path) -> dict[str, Any] | None:
    """Read a snapshot file; None when there is none. A corrupt file is kept aside, never overwritten silently."""
    if not path.exists():
        return None
    try:
        snapshot = json.loads(path.read_text(), object_hook=_decode)
    except ValueError:
        aside = path.with_suffix(f".corrupt-{int(time.time())}.json")
        path.rename(aside)
        log.error("snapshot %s is not valid JSON; moved to %s and starting empty", path, aside)
        return None
    if snapshot.get("version") != SNAPSHOT_VERSION:
        log.warning("snapshot version %s is not %s; starting empty", snapshot.get("version"), SNAPSHOT_VERSION)
        return None
    return snapshot


def save(path: pathlib.Path, snapshot: dict[str, Any]) -> None:
    """Write a snapshot atomically (write a temporary file, then rename it over the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(snapshot, handle, default=_encode)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
