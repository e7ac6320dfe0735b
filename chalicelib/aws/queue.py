"""Sending work to SQS, now or later.

SQS delays a message by at most 15 minutes; anything later goes through a one-time EventBridge
Scheduler schedule that drops the same message on the same queue when it is due (DESIGN.md §7).
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

from chalicelib.aws import scheduler
from chalicelib.core import clock
from chalicelib.core.db import client

SQS_MAX_DELAY = timedelta(minutes=15)


def send(queue_url: str, message: dict[str, Any], *, delay_seconds: int = 0) -> str:
    """Send a JSON message; return its SQS message id."""
    response = client("sqs").send_message(
        QueueUrl=queue_url, MessageBody=json.dumps(message, separators=(",", ":")), DelaySeconds=delay_seconds
    )
    return response["MessageId"]


def send_at(queue_url: str, queue_arn: str, message: dict[str, Any], *, deliver_at: datetime, schedule_name: str,
            now: datetime | None = None, replace: bool = False) -> str:
    """Deliver `message` to the queue at `deliver_at`: an SQS delay when close enough, else a one-time schedule
    (`replace`: deleting a pending schedule of that name first).

    Returns the SQS message id, or the schedule name when a schedule carries it.
    """
    wait = deliver_at - (now or clock.now())
    if wait <= SQS_MAX_DELAY:
        # Round up: a message must never arrive before its time.
        return send(queue_url, message, delay_seconds=max(0, math.ceil(wait.total_seconds())))
    if replace:
        scheduler.delete(schedule_name)
    scheduler.create_one_time(name=schedule_name, at=deliver_at, target_arn=queue_arn, payload=message)
    return schedule_name
