"""DESIGN.md §6 budgets of the agent protocol: the hourly check-in, the unchanged full report, and a report
in which k packages changed (1,500 packages on the host)."""
from __future__ import annotations

import pytest

from chalicelib.core import keys
from tests.bench import report

# The first benchmark to run builds both fleets (~1.5 min); pytest-timeout's 120 s would count it.
pytestmark = [pytest.mark.bench, pytest.mark.timeout(900)]

K_VALUES = (1, 10, 100)
K1_MAX_REQUESTS = 10  # the unchanged report's 5, plus: read the host's packages, one batch write, one aggregate, the fleet counters
K1_MAX_WRU = 25  # the unchanged report's 20, plus a handful of 1 KB items (package row, its index entry, its aggregate, counters)
MAX_PER_PACKAGE = 10  # requests or WRU per additional changed package


def test_check_in_whose_hashes_all_match_costs_one_read_one_write_and_two_wru(bench):
    """A warm check-in with every hash matching reads and writes the agent record once each, within 2 WRU."""
    # Given / When
    m = bench.ping_unchanged
    w = m.window
    ok = w.reads <= 1 and w.writes <= 1 and w.wru <= 2
    report.add(m.name, w, budget="<=1 read, <=1 write, <=2 WRU", ok=ok)
    report.add(bench.ping_cold.name, bench.ping_cold.window, budget="(info: once per 30 s per instance)")
    report.add(bench.ping_without_websocket.name, bench.ping_without_websocket.window, budget="(info: agents without a WebSocket)")
    report.note(f"agent record written by every check-in: {bench.item_breakdown(keys.agent_key(bench.agent.api_id))}")
    # Then
    assert ok, f"check-in over budget: {w.reads} reads, {w.writes} writes, {w.wru} WRU\n{w.describe()}"


def test_full_report_of_1500_unchanged_packages_costs_at_most_5_requests_and_20_wru(bench):
    """A second identical full report writes no inventory: at most 5 requests and 20 WRU."""
    # Given / When
    m = bench.full_unchanged
    w = m.window
    ok = w.requests <= 5 and w.wru <= 20
    report.add(m.name, w, budget="<=5 requests, <=20 WRU", ok=ok)
    report.note(f"host record rewritten by every report (table + gsi1, which projects ALL): "
                f"{bench.item_breakdown(keys.host_key(bench.world.small.tenant.tenant_id, bench.agent.host_id))}")
    report.note("moto's own ConsumedCapacity for the same requests (constants, not used): "
                + ", ".join(f"{c.operation} {c.moto_units if c.moto_units is not None else 'none'} (billed {c.rru + c.wru:g})" for c in w.calls))
    # Then
    assert ok, f"unchanged full report over budget: {w.requests} requests, {w.wru} WRU\n{w.describe()}"


def test_report_cost_grows_with_the_changed_packages_not_the_host_size(bench):
    """Requests and WRU of a report grow O(k) in the k changed packages, plus a constant."""
    # Given / When
    measured = {k: bench.packages_changed(k).window for k in K_VALUES}
    # Then
    growth_requests = measured[100].requests - measured[10].requests
    growth_wru = measured[100].wru - measured[10].wru
    checks = {
        1: measured[1].requests <= K1_MAX_REQUESTS and measured[1].wru <= K1_MAX_WRU,
        10: True,
        100: growth_requests <= MAX_PER_PACKAGE * 90 and growth_wru <= MAX_PER_PACKAGE * 90,
    }
    budgets = {1: f"<={K1_MAX_REQUESTS} requests, <={K1_MAX_WRU} WRU", 10: "O(k) + c",
               100: f"k=10->100: <={MAX_PER_PACKAGE}/pkg"}
    for k in K_VALUES:
        report.add(bench.packages_changed(k).name, measured[k], budget=budgets[k], ok=checks[k])
    report.note(f"changed packages k=10 -> k=100: +{growth_requests} requests ({growth_requests / 90:.2f}/pkg), "
                f"+{growth_wru} WRU ({growth_wru / 90:.2f}/pkg), +{measured[100].item_writes - measured[10].item_writes} item writes; "
                f"RRU {measured[1].rru:g} / {measured[10].rru:g} / {measured[100].rru:g} at k = 1 / 10 / 100 "
                f"(the host's whole package list is read on every packages report)")
    details = "\n".join(f"k={k}:\n{measured[k].describe()}" for k in K_VALUES if not checks[k])
    assert all(checks.values()), f"report with changed packages over budget\n{details}"


SWEEP_SHARD_QUERIES = 4  # presence.WATCH_SHARDS: one query each, due watches only


def test_status_sweep_reads_only_the_hosts_that_changed_state(bench):
    """The sweep's reads are the same at 10 and 10,000 hosts and grow with the hosts going offline, not the fleet."""
    # Given / When
    idle = {fleet: bench.sweep(fleet, 0).window for fleet in ("small", "large")}
    changed = {k: bench.sweep("large", k).window for k in (1, 5)}
    for fleet, w in idle.items():
        report.add(bench.sweep(fleet, 0).name, w, budget=f"{SWEEP_SHARD_QUERIES} queries, same at both sizes",
                   ok=w.requests == SWEEP_SHARD_QUERIES)
    per_host_reads = (changed[5].reads - changed[1].reads) / 4
    for k, w in changed.items():
        report.add(bench.sweep("large", k).name, w, budget="reads O(k)", ok=per_host_reads <= 3)
    # Then
    assert idle["small"].requests == idle["large"].requests == SWEEP_SHARD_QUERIES
    assert idle["large"].rru == idle["small"].rru
    assert per_host_reads <= 3, f"each host going offline costs {per_host_reads} reads\n{changed[5].describe()}"
