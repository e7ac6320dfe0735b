"""EventBridge schedule → settle the hosts whose agents went quiet (see chalicelib/host/presence.py)."""
from __future__ import annotations

from typing import Any

from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.host import presence


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Mark offline the hosts whose watch is due; reads only those, never the whole fleet."""
    counts = presence.sweep()
    metrics.add_metric(name="HostsWentOffline", unit="Count", value=counts["offline"])
    return counts
