"""EventBridge daily schedule → inventory cleanup of every tenant, one at a time (chalicelib/inventory/cleanup.py).

A tenant whose cleanup fails is logged and counted (metric InventoryCleanupTenantsFailed) and the
others still run; the job is idempotent, so tomorrow's run, or a manual re-invoke, retries it.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.core.tenancy import TenantContext
from chalicelib.inventory import cleanup
from chalicelib.tenant import service as tenant_service

WORKER = "inventory_cleanup"
TENANT_PAGE = 100
METRICS = {"packages_deleted": "InventoryPackagesDeleted", "repos_deleted": "InventoryRepositoriesDeleted",
           "aggregates_corrected": "InventoryAggregatesCorrected", "stats_counters_corrected": "FleetCountersCorrected",
           "group_counts_corrected": "HostGroupCountsCorrected",
           "conflicts": "InventoryCleanupConflicts", "tenants_failed": "InventoryCleanupTenantsFailed"}


def clean_all_tenants() -> dict[str, int]:
    """Clean every tenant; a failure in one does not stop the others."""
    totals: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        tenants, cursor = tenant_service.list_(limit=TENANT_PAGE, cursor=cursor)
        for tenant in tenants:
            try:
                totals.update(cleanup.clean_tenant(TenantContext.system(tenant.tenant_id, WORKER)))
                totals["tenants_cleaned"] += 1
            except Exception:  # one tenant's failure is logged and counted; the rest still run
                logger.exception("inventory cleanup failed", extra={"tenant_id": tenant.tenant_id})
                totals["tenants_failed"] += 1
        if not cursor:
            return {k: totals[k] for k in ("tenants_cleaned", *METRICS, "aggregates_checked", "rows_read", "budget_exhausted")}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Run the daily cleanup and report what it did."""
    summary = clean_all_tenants()
    for field, metric in METRICS.items():
        metrics.add_metric(name=metric, unit="Count", value=summary[field])
    logger.info("inventory cleanup finished", extra=summary)
    return summary
