"""EventBridge schedule → record the scheduler heartbeat that the health check reads."""
from __future__ import annotations

from typing import Any

from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.system import service as system_service


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Record the heartbeat for this scheduled event."""
    at = system_service.record_heartbeat(source=str(event.get("id", "unknown")))
    return {"recorded_at": at}
