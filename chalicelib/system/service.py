"""Liveness of the product's parts: the health report and the scheduler heartbeat."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.aws import scheduler, ws_push
from chalicelib.core import clock
from chalicelib.core.db import client
from chalicelib.core.observability import logger
from chalicelib.core.settings import get_settings
from chalicelib.system import store

HEALTH_PROBE_CONNECTION = "health-probe"


def record_heartbeat(*, source: str) -> str:
    """Record that a scheduled event fired now; return the time recorded."""
    at = clock.iso(clock.now())
    store.put_heartbeat(at=at, source=source)
    logger.info("scheduler heartbeat recorded", extra={"source": source})
    return at


def _data() -> dict[str, Any]:
    store.get_heartbeat()
    return {}


def _queues() -> dict[str, Any]:
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=get_settings().agent_commands_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return {"pending": int(attributes["ApproximateNumberOfMessages"])}


def _scheduler() -> dict[str, Any]:
    if not scheduler.group_exists():
        raise RuntimeError("schedule group missing")
    beat = store.get_heartbeat()
    if beat is None:
        return {"status": "pending", "last_tick": None}
    age = (clock.now() - clock.parse_iso(beat["at"])).total_seconds()
    stale = age > 3 * get_settings().heartbeat_interval_seconds
    return {"status": "stale" if stale else "ok", "last_tick": beat["at"]}


def _websocket_gateway() -> dict[str, Any]:
    try:
        ws_push.info(HEALTH_PROBE_CONNECTION)
    except ws_push.ConnectionGone:
        pass  # the gateway answered: an unknown connection is 410 Gone
    return {}


COMPONENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "data": _data,
    "queues": _queues,
    "scheduler": _scheduler,
    "websocket_gateway": _websocket_gateway,
}


def _check(name: str, probe: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = {"status": "ok", **probe()}
    except Exception as exc:  # a health check reports failures, it does not raise them
        logger.warning("health check failed", extra={"component": name, "error_type": type(exc).__name__})
        result = {"status": "error", "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def health() -> dict[str, Any]:
    """Probe every component; the overall status is ok only when each one is."""
    components = {name: _check(name, probe) for name, probe in COMPONENTS.items()}
    healthy = all(c["status"] == "ok" for c in components.values())
    return {"status": "ok" if healthy else "degraded", "stage": get_settings().stage,
            "time": clock.iso(clock.now()), "components": components}
