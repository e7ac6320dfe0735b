"""The daily inventory cleanup: what DynamoDB TTL cannot do (DESIGN.md §7; the reference's
orphaned-package-cleanup, orphaned-repo-cleanup and agent-reports-cleanup jobs — report history
itself expires by TTL at the tenant's retention).

For one tenant:
(a) delete the package and repository aggregates (PKG#, REPO#) whose host counts are all zero,
    conditionally, so a report that counts a host in at the same moment wins;
(b) recount the fleet counters (STATS) and each host group's host count from the host records, and correct
    any drift (the fleet counters in one write, each group in one);
(c) recount aggregates from their per-host rows, within bounds: each aggregate once every
    ROTATION_DAYS (by a hash of its id), and at most ROW_BUDGET per-host rows per tenant and run.
Every correction is conditioned on the value it read, so a concurrent report is never overwritten,
and a drift must survive a second count CONFIRM_DELAY_SECONDS later (the index is eventually
consistent). Running twice changes nothing the second time.
"""
from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import clock, keys
from chalicelib.core.db import is_conditional_failure, main_table
from chalicelib.core.observability import logger
from chalicelib.core.pagination import MAX_PAGE_SIZE
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import service as host_service
from chalicelib.inventory import service as inventory_service
from chalicelib.inventory import store

PAGE_SIZE = 500
ROTATION_DAYS = 7
ROW_BUDGET = 200_000
CONFIRM_DELAY_SECONDS = 2.0
FLEET_COUNTERS = ("hosts_total", "hosts_needing_updates", "hosts_with_security_updates", "hosts_reboot_required")
FLEET_COUNTER_PREFIXES = ("status|", "os|")
GROUP_TALLY = "group#"  # per-group tallies in a fleet count: compared with the groups' counts, never written to STATS
_NO_FILTERS = {"group": None, "status": None, "os_type": None, "needs_updates": False, "security": False, "reboot": False, "search": None}


@dataclass
class Summary:
    packages_deleted: int = 0
    repos_deleted: int = 0
    aggregates_checked: int = 0
    aggregates_corrected: int = 0
    stats_counters_corrected: int = 0
    group_counts_corrected: int = 0
    conflicts: int = 0  # a correction skipped because the counts moved meanwhile (the next run retries)
    rows_read: int = 0
    budget_exhausted: int = 0


def _package_tally(row: dict[str, Any]) -> dict[str, int]:
    outdated = bool(row.get("needs_update"))
    return {"installed_hosts": 1, "outdated_hosts": int(outdated), "security_hosts": int(outdated and bool(row.get("is_security_update")))}


@dataclass(frozen=True)
class _Kind:
    collection: Callable[[str], keys.Collection]
    counts: tuple[str, ...]
    id_attribute: str
    key: Callable[[str, str], tuple[str, str]]
    index: Callable[[str, str], str]
    tally: Callable[[dict[str, Any]], dict[str, int]]
    deleted: str


PACKAGES = _Kind(keys.packages, ("installed_hosts", "outdated_hosts", "security_hosts"), "name", keys.package_key,
                 keys.package_hosts_index, _package_tally, "packages_deleted")
REPOS = _Kind(keys.repos, ("host_count",), "repo_id", keys.repo_key, keys.repo_hosts_index, lambda row: {"host_count": 1},
              "repos_deleted")


def clean_tenant(ctx: TenantContext, *, today: date | None = None, rotation_days: int | None = None,
                 row_budget: int | None = None) -> dict[str, int]:
    """Delete orphaned aggregates and repair counter drift for one tenant; return what was done."""
    rotation_days = rotation_days or ROTATION_DAYS
    row_budget = ROW_BUDGET if row_budget is None else row_budget
    summary = Summary()
    bucket = (today or clock.now().date()).toordinal() % rotation_days
    for kind in (PACKAGES, REPOS):
        collection = kind.collection(ctx.tenant_id)
        cursor: str | None = None
        while True:
            items, cursor = store.query_page(collection, limit=PAGE_SIZE, cursor=cursor)
            for item in items:
                ident = item.get(kind.id_attribute) or item["sk"][len(collection[1]):]
                due = zlib.crc32(ident.encode()) % rotation_days == bucket
                if due and summary.rows_read >= row_budget:
                    summary.budget_exhausted = 1
                _clean_aggregate(ctx.tenant_id, kind, ident, item, reconcile=due and not summary.budget_exhausted, summary=summary)
            if not cursor:
                break
    _reconcile_fleet_counters(ctx, summary)
    result = asdict(summary)
    logger.info("inventory cleanup done", extra={"tenant_id": ctx.tenant_id, **result})
    return result


def _clean_aggregate(tenant_id: str, kind: _Kind, ident: str, item: dict[str, Any], *, reconcile: bool, summary: Summary) -> None:
    observed = {c: int(item.get(c, 0)) for c in kind.counts}
    wanted: dict[str, int] | None = observed
    if reconcile:
        summary.aggregates_checked += 1
        wanted = _settled(lambda: _count_rows(tenant_id, kind, ident, summary), observed)
    if wanted is None:
        summary.conflicts += 1
        return
    key = kind.key(tenant_id, ident)
    if not any(wanted.values()):
        if _write_if(key, observed, delete=True):
            setattr(summary, kind.deleted, getattr(summary, kind.deleted) + 1)
        else:
            summary.conflicts += 1
    elif wanted != observed:
        if _write_if(key, observed, wanted=wanted):
            summary.aggregates_corrected += 1
            logger.info("aggregate counts corrected", extra={"tenant_id": tenant_id, "aggregate": key[1],
                                                             "was": observed, "now": wanted})
        else:
            summary.conflicts += 1


def _count_rows(tenant_id: str, kind: _Kind, ident: str, summary: Summary) -> dict[str, int]:
    totals = dict.fromkeys(kind.counts, 0)
    cursor: str | None = None
    while True:
        rows, cursor = store.query_index_page(kind.index(tenant_id, ident), limit=PAGE_SIZE, cursor=cursor)
        summary.rows_read += len(rows)
        for row in rows:
            for name, value in kind.tally(row).items():
                totals[name] += value
        if not cursor:
            return totals


def _settled(count: Callable[[], dict[str, int]], observed: dict[str, int]) -> dict[str, int] | None:
    """Return the true counts, or None when a second count disagrees with the first (writes still in flight)."""
    first = count()
    if _nonzero(first) == _nonzero(observed):
        return first
    time.sleep(CONFIRM_DELAY_SECONDS)
    return first if _nonzero(count()) == _nonzero(first) else None


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def _is_fleet_counter(name: str) -> bool:
    return name in FLEET_COUNTERS or name.startswith(FLEET_COUNTER_PREFIXES)


def _count_fleet(ctx: TenantContext) -> dict[str, int]:
    """Recount the fleet counters from the host records, as inventory_service.fleet_delta counts one host, and the
    hosts of each group (as GROUP_TALLY + group id)."""
    totals: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        page = host_service.list_(ctx, limit=MAX_PAGE_SIZE, cursor=cursor, **_NO_FILTERS)
        for host in page["hosts"]:
            totals["hosts_total"] += 1
            totals.update(inventory_service.fleet_delta({}, {k: v for k, v in host.items() if v is not None}))
            totals.update(GROUP_TALLY + g for g in dict.fromkeys(host.get("group_ids") or ()))
        cursor = page["next_cursor"]
        if not cursor:
            return dict(totals)


def _reconcile_fleet_counters(ctx: TenantContext, summary: Summary) -> None:
    key = keys.fleet_stats_key(ctx.tenant_id)
    observed = {k: int(v) for k, v in (store.get(key) or {}).items() if _is_fleet_counter(k)}
    group_counts = host_service.stored_group_counts(ctx)
    # Only groups that exist are compared (a host never names a deleted group: deletion needs a count of zero).
    known = {GROUP_TALLY + g for g in group_counts}
    counted = _settled(lambda: {k: v for k, v in _count_fleet(ctx).items() if not k.startswith(GROUP_TALLY) or k in known},
                       {**observed, **{GROUP_TALLY + g: n for g, n in group_counts.items()}})
    if counted is None:
        summary.conflicts += 1
        return
    _correct_group_counts(ctx, group_counts, counted, summary)
    wanted = {k: v for k, v in counted.items() if not k.startswith(GROUP_TALLY)}
    drift = sorted(k for k in observed.keys() | wanted.keys() if observed.get(k, 0) != wanted.get(k, 0))
    if not drift:
        return
    if _write_if(key, {k: observed.get(k, 0) for k in drift}, wanted={k: wanted.get(k, 0) for k in drift}, remove_zero=True):
        summary.stats_counters_corrected += len(drift)
        logger.info("fleet counters corrected", extra={"tenant_id": ctx.tenant_id, "was": {k: observed.get(k, 0) for k in drift},
                                                       "now": {k: wanted.get(k, 0) for k in drift}})
    else:
        summary.conflicts += 1


def _correct_group_counts(ctx: TenantContext, stored: dict[str, int], counted: dict[str, int], summary: Summary) -> None:
    for group_id, observed in stored.items():
        wanted = counted.get(GROUP_TALLY + group_id, 0)
        if observed == wanted:
            continue
        if host_service.correct_group_count(ctx, group_id=group_id, observed=observed, wanted=wanted):
            summary.group_counts_corrected += 1
            logger.info("host group count corrected", extra={"tenant_id": ctx.tenant_id, "group_id": group_id, "was": observed,
                                                             "now": wanted})
        else:
            summary.conflicts += 1


def _write_if(key: tuple[str, str], observed: dict[str, int], *, wanted: dict[str, int] | None = None, delete: bool = False,
              remove_zero: bool = False) -> bool:
    """Delete the item, or set the `wanted` counts, if every counter still holds its `observed` value; False when one moved."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    conditions, sets, removes = [], [], []
    for i, (name, seen) in enumerate(observed.items()):
        names[f"#c{i}"] = name
        if seen:
            values[f":o{i}"] = seen
            conditions.append(f"#c{i} = :o{i}")
        else:
            values[":zero"] = 0
            conditions.append(f"(attribute_not_exists(#c{i}) OR #c{i} = :zero)")
        if wanted is not None and wanted[name] != seen:
            if remove_zero and not wanted[name]:
                removes.append(f"#c{i}")
            else:
                values[f":w{i}"] = wanted[name]
                sets.append(f"#c{i} = :w{i}")
    kwargs: dict[str, Any] = {"Key": {"pk": key[0], "sk": key[1]}, "ConditionExpression": " AND ".join(conditions),
                              "ExpressionAttributeNames": names}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    try:
        if delete:
            main_table().delete_item(**kwargs)
        else:
            update = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
            main_table().update_item(UpdateExpression=update.strip(), **kwargs)
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True
