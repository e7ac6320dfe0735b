"""EventBridge schedule → running patch runs with no agent output for 30 minutes become `timed_out`."""
from __future__ import annotations

from typing import Any

from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.patching import runs


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Reads only the running runs whose stall time has come (a sparse index), never every run."""
    counts = runs.sweep_stalled()
    metrics.add_metric(name="PatchRunsTimedOut", unit="Count", value=counts["timed_out"])
    return counts
