"""Inventory: each host's packages and repositories, written only when they change, and the fleet
aggregates (per package, per repository, per tenant) kept by atomic counters on every change.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from typing import Any

from chalicelib.core import clock, keys
from chalicelib.core.db import all_of
from chalicelib.inventory import store, versions


def _pkg_row(tenant_id: str, host_id: str, p: dict[str, Any], now: str) -> dict[str, Any]:
    pk, sk = keys.host_package_key(tenant_id, host_id, p["name"])
    return {"pk": pk, "sk": sk, "gsi1pk": keys.package_hosts_index(tenant_id, p["name"]), "gsi1sk": host_id, "host_id": host_id,
            "name": p["name"], "name_lower": p["name"].lower(), "current_version": p.get("currentVersion") or "",
            "available_version": p.get("availableVersion") or "",
            "needs_update": bool(p.get("needsUpdate")), "is_security_update": bool(p.get("isSecurityUpdate")),
            "source_repository": p.get("sourceRepository") or "", "description": (p.get("description") or "")[:1000],
            "category": p.get("category") or "", "updated_at": now}


_COMPARED = ("current_version", "available_version", "needs_update", "is_security_update", "source_repository", "description", "category")


def apply_packages(tenant_id: str, host_id: str, packages: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace a host's package list, writing only what changed; return the host's counts and, as `fleet_delta`, the
    change to the fleet's package counters (for the caller's one fleet-counter write)."""
    now = clock.iso(clock.now())
    wanted: dict[str, dict[str, Any]] = {}
    for p in packages:  # dedup by name, last wins (as the canonical hash does)
        wanted[p["name"]] = _pkg_row(tenant_id, host_id, p, now)
    stored = {i["name"]: i for i in store.query_collection(keys.host_packages(tenant_id, host_id))}
    puts = [row for name, row in wanted.items() if name not in stored or any(stored[name].get(f) != row[f] for f in _COMPARED)]
    deletes = [(i["pk"], i["sk"]) for name, i in stored.items() if name not in wanted]
    store.write_items(puts, deletes)
    aggregates = []
    for row in puts:
        old = stored.get(row["name"])
        aggregates.append(_package_delta(tenant_id, row["name"], old, row))
    for name, old in stored.items():
        if name not in wanted:
            aggregates.append(_package_delta(tenant_id, name, old, None))
    aggregates = [a for a in aggregates if a[1] or a[2]]
    package_totals = _package_totals_delta(aggregates, store.add_counters(aggregates)) if aggregates else {}
    newer = [(keys.package_key(tenant_id, row["name"]), row["available_version"], versions.sort_key(row["available_version"])) for row in puts
             if row["needs_update"] and row["available_version"]
             and (stored.get(row["name"]) or {}).get("available_version") != row["available_version"]]
    if newer:  # the newest version any host has seen: kept by a conditional write (a lower one loses)
        store.raise_latest_versions(newer)
    rows = wanted.values()
    return {"packages_count": len(wanted), "updates_count": sum(r["needs_update"] for r in rows),
            "security_count": sum(r["needs_update"] and r["is_security_update"] for r in rows), "changed": len(puts) + len(deletes),
            "fleet_delta": package_totals}


# Fleet counters of packages (not hosts) by the per-package counter that defines them.
PACKAGE_TOTALS = {"outdated_hosts": "packages_needing_updates", "security_hosts": "packages_with_security_updates"}


def _package_totals_delta(aggregates: list[tuple[Any, dict[str, int], Any]], after: list[dict[str, int]]) -> dict[str, int]:
    """How many packages started or stopped needing an update on some host: those whose per-package counter the ADD
    moved from zero or to zero (its value before is the value after minus the ADD). Each ADD is atomic, so concurrent
    reports see each crossing exactly once."""
    delta: Counter[str] = Counter()
    for (_, deltas, _), counters in zip(aggregates, after, strict=True):
        for counter, total in PACKAGE_TOTALS.items():
            if counter in deltas and counter in counters:
                now = counters[counter]
                before = now - deltas[counter]
                if (before == 0) != (now == 0):
                    delta[total] += 1 if now else -1
    return {k: v for k, v in delta.items() if v}


def _package_delta(tenant_id: str, name: str, old: dict[str, Any] | None, new: dict[str, Any] | None):
    def flags(row: dict[str, Any] | None) -> tuple[int, int, int]:
        if row is None:
            return 0, 0, 0
        return 1, int(bool(row["needs_update"])), int(bool(row["needs_update"]) and bool(row["is_security_update"]))

    before, after = flags(old), flags(new)
    deltas = {k: a - b for k, a, b in zip(("installed_hosts", "outdated_hosts", "security_hosts"), after, before, strict=True) if a != b}
    sets: dict[str, Any] = {}
    if new is not None:
        sets = {"name": name, "name_lower": name.lower(), "description": new["description"][:500], "category": new["category"]}
    return keys.package_key(tenant_id, name), deltas, sets


def repo_id(repo: dict[str, Any]) -> str:
    """Identify a repository by (url, distribution, components), as the reference does."""
    raw = "|".join((repo.get("url") or "", repo.get("distribution") or "", repo.get("components") or ""))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def apply_repos(tenant_id: str, host_id: str, repos: list[dict[str, Any]]) -> int:
    """Replace a host's repositories, writing only what changed; return how many it has."""
    now = clock.iso(clock.now())
    wanted: dict[str, dict[str, Any]] = {}
    for r in repos:
        rid = repo_id(r)
        pk, sk = keys.host_repo_key(tenant_id, host_id, rid)
        wanted[rid] = {"pk": pk, "sk": sk, "gsi1pk": keys.repo_hosts_index(tenant_id, rid), "gsi1sk": host_id, "host_id": host_id,
                       "repo_id": rid, "name": r.get("name") or "", "url": r.get("url") or "", "distribution": r.get("distribution") or "",
                       "components": r.get("components") or "", "repo_type": r.get("repoType") or "",
                       "is_enabled": bool(r.get("isEnabled", True)), "is_secure": bool(r.get("isSecure")), "updated_at": now}
    stored = {i["repo_id"]: i for i in store.query_collection(keys.host_repos(tenant_id, host_id))}
    fields = ("name", "repo_type", "is_enabled", "is_secure")
    puts = [row for rid, row in wanted.items() if rid not in stored or any(stored[rid].get(f) != row[f] for f in fields)]
    deletes = [(i["pk"], i["sk"]) for rid, i in stored.items() if rid not in wanted]
    store.write_items(puts, deletes)
    aggregates = []
    for row in puts:
        sets = {k: row[k] for k in ("repo_id", "name", "url", "distribution", "components", "repo_type", "is_secure")}
        aggregates.append((keys.repo_key(tenant_id, row["repo_id"]), {} if row["repo_id"] in stored else {"host_count": 1}, sets))
    for rid in stored:
        if rid not in wanted:
            aggregates.append((keys.repo_key(tenant_id, rid), {"host_count": -1}, {}))
    if aggregates:
        store.add_counters(aggregates)
    return len(wanted)


def fleet_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Return the fleet counter changes implied by one host changing from `before` to `after` ({} for a new/removed host)."""
    def flags(host: dict[str, Any]) -> dict[str, int]:
        if not host:
            return {}
        out = {f"status|{host.get('status', 'pending')}": 1}
        if int(host.get("updates_count", 0)) > 0:
            out["hosts_needing_updates"] = 1
        if int(host.get("security_count", 0)) > 0:
            out["hosts_with_security_updates"] = 1
        if host.get("needs_reboot"):
            out["hosts_reboot_required"] = 1
        if host.get("os_type"):
            out[f"os|{host['os_type']} {host.get('os_version') or ''}".strip()] = 1
        return out

    old, new = flags(before), flags(after)
    return {k: new.get(k, 0) - old.get(k, 0) for k in set(old) | set(new) if new.get(k, 0) != old.get(k, 0)}


def apply_fleet_delta(tenant_id: str, *deltas: dict[str, int]) -> None:
    """Add the sum of `deltas` to the fleet counters: one write, none when they cancel out."""
    total: Counter[str] = Counter()
    for delta in deltas:
        total.update(delta)
    changes = {k: v for k, v in total.items() if v}
    if changes:
        store.add_counters([(keys.fleet_stats_key(tenant_id), changes, {})])


def record_report(tenant_id: str, host_id: str, row: dict[str, Any], *, retention_days: int) -> None:
    """Store one report-history row, kept the tenant's `agent_report_retention_days` (DynamoDB TTL deletes it then)."""
    now = clock.now()
    at = clock.iso(now)
    pk, sk = keys.report_key(tenant_id, host_id, at)
    store.put({"pk": pk, "sk": sk, "host_id": host_id, "at": at, "expires_at": clock.epoch_seconds(now + timedelta(days=retention_days)),
               **row})


def remove_host(tenant_id: str, host: dict[str, Any]) -> None:
    """Delete a host's inventory and take it out of every aggregate."""
    host_id = host["host_id"]
    package_totals = apply_packages(tenant_id, host_id, [])["fleet_delta"]
    apply_repos(tenant_id, host_id, [])
    reports = store.query_collection(keys.host_reports(tenant_id, host_id))
    store.write_items([], [(r["pk"], r["sk"]) for r in reports])
    apply_fleet_delta(tenant_id, fleet_delta(host, {}), package_totals)


def _clean(item: dict[str, Any], drop: tuple[str, ...] = ("pk", "sk", "gsi1pk", "gsi1sk", "expires_at", "name_lower")) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in drop}


def host_packages(tenant_id: str, host_id: str, *, limit: int, cursor: str | None, needs_updates: bool, security: bool,
                  search: str | None) -> dict[str, Any]:
    """A page of one host's packages by name."""
    from boto3.dynamodb.conditions import Attr

    conditions = []
    if needs_updates:
        conditions.append(Attr("needs_update").eq(True))
    if security:
        conditions.append(Attr("is_security_update").eq(True))
    if search:
        conditions.append(Attr("name_lower").contains(search.lower()))
    items, next_cursor = store.query_page(keys.host_packages(tenant_id, host_id), limit=limit, cursor=cursor,
                                          filter_expression=all_of(conditions))
    return {"packages": [_clean(i) for i in items], "next_cursor": next_cursor}


def host_repos(tenant_id: str, host_id: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of one host's repositories (one request; in stored order, by repository id)."""
    items, next_cursor = store.query_page(keys.host_repos(tenant_id, host_id), limit=limit, cursor=cursor)
    return {"repositories": [_clean(i) for i in items], "next_cursor": next_cursor}


def host_reports(tenant_id: str, host_id: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of one host's report history, newest first (expired rows hidden: TTL deletes lazily)."""
    items, next_cursor = store.query_page(keys.host_reports(tenant_id, host_id), limit=limit, cursor=cursor, forward=False)
    now = clock.epoch_seconds(clock.now())
    return {"reports": [_clean(i) for i in items if int(i.get("expires_at", now + 1)) > now], "next_cursor": next_cursor}


def packages_page(tenant_id: str, *, limit: int, cursor: str | None, needs_updates: bool, security: bool,
                  search: str | None) -> dict[str, Any]:
    """The fleet's packages by name with host counts: one request per page, whatever the fleet size."""
    from boto3.dynamodb.conditions import Attr

    conditions = [Attr("installed_hosts").gt(0)]
    if needs_updates:
        conditions.append(Attr("outdated_hosts").gt(0))
    if security:
        conditions.append(Attr("security_hosts").gt(0))
    if search:
        conditions.append(Attr("name_lower").contains(search.lower()))
    items, next_cursor = store.query_page(keys.packages(tenant_id), limit=limit, cursor=cursor,
                                          filter_expression=all_of(conditions))
    return {"packages": [_package_view(i) for i in items], "next_cursor": next_cursor}


def _package_view(item: dict[str, Any]) -> dict[str, Any]:
    return {"name": item["name"], "description": item.get("description", ""), "category": item.get("category", ""),
            "latest_version": item.get("latest_version"), "installed_hosts": int(item.get("installed_hosts", 0)),
            "outdated_hosts": int(item.get("outdated_hosts", 0)), "security_hosts": int(item.get("security_hosts", 0))}


def package(tenant_id: str, name: str) -> dict[str, Any] | None:
    item = store.get(keys.package_key(tenant_id, name))
    return _package_view(item) if item and int(item.get("installed_hosts", 0)) > 0 else None


def _with_hosts(tenant_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each row's host name, status and OS, read in one batch for the page (not a read per row). A row whose
    host is gone (deleted while its rows were being removed, or an index that has not caught up) is left out."""
    from chalicelib.host import service as host_service  # host's service imports this one: import late

    hosts = host_service.find_summaries(tenant_id, [r["host_id"] for r in rows])
    return [{**_clean(r), **hosts[r["host_id"]]} for r in rows if r["host_id"] in hosts]


def package_hosts(tenant_id: str, name: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The hosts that have a package, with their versions, names, status and OS."""
    items, next_cursor = store.query_index_page(keys.package_hosts_index(tenant_id, name), limit=limit, cursor=cursor)
    return {"hosts": _with_hosts(tenant_id, items), "next_cursor": next_cursor}


def repos_page(tenant_id: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    from boto3.dynamodb.conditions import Attr

    items, next_cursor = store.query_page(keys.repos(tenant_id), limit=limit, cursor=cursor,
                                          filter_expression=Attr("host_count").gt(0))
    return {"repositories": [{**_clean(i), "host_count": int(i.get("host_count", 0))} for i in items], "next_cursor": next_cursor}


def repo(tenant_id: str, repo_id: str) -> dict[str, Any] | None:
    """Return a repository of the fleet (None if no host of this tenant uses it)."""
    item = store.get(keys.repo_key(tenant_id, repo_id))
    return {**_clean(item), "host_count": int(item.get("host_count", 0))} if item and int(item.get("host_count", 0)) > 0 else None


def repo_hosts(tenant_id: str, repo: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The hosts using a repository, with their names, status and OS."""
    items, next_cursor = store.query_index_page(keys.repo_hosts_index(tenant_id, repo), limit=limit, cursor=cursor)
    return {"hosts": _with_hosts(tenant_id, items), "next_cursor": next_cursor}


def dashboard(tenant_id: str) -> dict[str, Any]:
    """Fleet summary from the tenant's counters: one read, the same at 10 hosts or 10,000."""
    stats = store.get(keys.fleet_stats_key(tenant_id)) or {}

    def n(name: str) -> int:
        return int(stats.get(name, 0))

    return {
        "total_hosts": n("hosts_total"),
        "hosts_needing_updates": n("hosts_needing_updates"),
        "hosts_with_security_updates": n("hosts_with_security_updates"),
        "hosts_reboot_required": n("hosts_reboot_required"),
        "hosts_by_status": {k.split("|", 1)[1]: int(v) for k, v in stats.items() if k.startswith("status|") and int(v) > 0},
        "os_distribution": {k.split("|", 1)[1]: int(v) for k, v in stats.items() if k.startswith("os|") and int(v) > 0},
        "offline_hosts": n("status|offline"),
        "packages_needing_updates": n("packages_needing_updates"),
        "packages_with_security_updates": n("packages_with_security_updates"),
        "up_to_date_hosts": max(0, n("hosts_total") - n("hosts_needing_updates") - n("status|pending")),
    }
