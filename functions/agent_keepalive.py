"""EventBridge schedule → send the keepalive frame to connected agents (see chalicelib/realtime/agents.py)."""
from __future__ import annotations

from typing import Any

from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.realtime import agents
from chalicelib.realtime.store import KEEPALIVE_BUCKETS


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Keep every agent connection alive and prune the ones that have gone."""
    totals = {"sent": 0, "gone": 0}
    for bucket in range(KEEPALIVE_BUCKETS):
        result = agents.keepalive(bucket)
        totals = {k: totals[k] + result[k] for k in totals}
    metrics.add_metric(name="AgentKeepalivesSent", unit="Count", value=totals["sent"])
    logger.info("agent keepalive done", extra=totals)
    return totals
