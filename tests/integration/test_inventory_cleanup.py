"""The daily inventory cleanup: orphaned aggregates, fleet counter drift, aggregate drift, one tenant at a time."""
from __future__ import annotations

import pytest

from chalicelib.core import keys
from chalicelib.core.db import main_table
from chalicelib.core.tenancy import TenantContext
from chalicelib.inventory import cleanup
from chalicelib.inventory import service as inventory_service
from functions import inventory_cleanup
from infra.definition import DEFINITION
from infra.local.lambda_runtime import LambdaContext
from tests.factories.fleet import REPOS, enrol, full_report, package
from tests.factories.identity import make_tenant, sign_in

CONTEXT = LambdaContext("inventory-cleanup", 256, 900, "arn")
OTHER_REPO = {**REPOS[0], "name": "extras", "url": "http://extras.example.com/ubuntu"}


@pytest.fixture(autouse=True)
def _no_confirm_wait(monkeypatch):
    monkeypatch.setattr(cleanup, "CONFIRM_DELAY_SECONDS", 0)


@pytest.fixture
def world(client, aws):
    """Tenant A: two hosts; `wget` and the extras repository no longer on any host. Tenant B: the same orphans."""
    tenants = {}
    for slug in ("default", "bravo"):
        admin = sign_in(client, make_tenant(slug), f"root-{slug}", role="superadmin")
        first, second = enrol(admin, "web-01"), enrol(admin, "web-02")
        before = full_report([package("curl", available="2.0", security=True), package("wget")], hostname="web-01")
        before["repositories"] = REPOS + [OTHER_REPO]
        first.post("/hosts/update", before)
        first.post("/hosts/update", full_report([package("curl", available="2.0", security=True)], hostname="web-01"))
        second.post("/hosts/update", full_report([package("curl")], hostname="web-02", needs_reboot=True))
        tenants[slug] = admin.tenant.tenant_id
    return tenants


def _get(key: tuple[str, str]) -> dict | None:
    return main_table().get_item(Key={"pk": key[0], "sk": key[1]}).get("Item")


def _repo_id(repo: dict) -> str:
    return inventory_service.repo_id(repo)


def _run() -> dict:
    return inventory_cleanup.handler({"id": "evt"}, CONTEXT)


def test_only_zero_count_aggregates_are_deleted_when_the_job_runs(world):
    tenant = world["default"]
    assert _get(keys.package_key(tenant, "wget"))["installed_hosts"] == 0  # the orphan exists before
    # When
    summary = _run()
    # Then
    assert _get(keys.package_key(tenant, "wget")) is None and _get(keys.repo_key(tenant, _repo_id(OTHER_REPO))) is None
    assert int(_get(keys.package_key(tenant, "curl"))["installed_hosts"]) == 2
    assert int(_get(keys.repo_key(tenant, _repo_id(REPOS[0])))["host_count"]) == 2
    assert (summary["packages_deleted"], summary["repos_deleted"], summary["tenants_cleaned"]) == (2, 2, 2)


def test_a_second_run_changes_nothing_when_the_first_succeeded(world):
    _run()
    summary = _run()
    changes = ("packages_deleted", "repos_deleted", "aggregates_corrected", "stats_counters_corrected", "conflicts", "tenants_failed")
    assert {k: summary[k] for k in changes} == dict.fromkeys(changes, 0)


def test_a_concurrent_report_wins_when_an_orphan_is_counted_in_meanwhile(world, monkeypatch):
    # Given the job read `wget` at zero, and a report counts a host in before the delete
    tenant = world["default"]
    real_query_page = cleanup.store.query_page

    def query_then_report(collection, **kwargs):
        items, cursor = real_query_page(collection, **kwargs)
        if collection == keys.packages(tenant):
            cleanup.store.add_counters([(keys.package_key(tenant, "wget"), {"installed_hosts": 1}, {})])
        return items, cursor

    monkeypatch.setattr(cleanup.store, "query_page", query_then_report)
    # When
    result = cleanup.clean_tenant(TenantContext.system(tenant, "test"), rotation_days=7, today=_day_not_reconciling("wget"))
    # Then the aggregate survives with the report's count
    assert int(_get(keys.package_key(tenant, "wget"))["installed_hosts"]) == 1
    assert result["packages_deleted"] == 0 and result["conflicts"] == 1


def _day_not_reconciling(ident: str):
    """A day on which `ident` is not due for a recount (so only the orphan rule applies to it)."""
    import zlib
    from datetime import date, timedelta

    day = date(2026, 1, 1)
    while zlib.crc32(ident.encode()) % 7 == day.toordinal() % 7:
        day += timedelta(days=1)
    return day


def test_a_corrupted_fleet_counter_is_corrected_when_the_job_runs(world):
    # Given drift in the tenant's counters
    tenant = world["default"]
    expected = inventory_service.dashboard(tenant)
    stats_pk, stats_sk = keys.fleet_stats_key(tenant)
    main_table().update_item(Key={"pk": stats_pk, "sk": stats_sk},
                             UpdateExpression="SET hosts_needing_updates = :n, hosts_total = :t, #os = :two REMOVE #active",
                             ExpressionAttributeNames={"#os": "os|Windows 11", "#active": "status|active"},
                             ExpressionAttributeValues={":n": 99, ":t": 7, ":two": 2})
    assert inventory_service.dashboard(tenant) != expected
    # When
    summary = _run()
    # Then
    assert inventory_service.dashboard(tenant) == expected
    assert expected["total_hosts"] == 2 and expected["hosts_needing_updates"] == 1 and expected["hosts_reboot_required"] == 1
    assert "os|Windows 11" not in _get(keys.fleet_stats_key(tenant))
    assert summary["stats_counters_corrected"] == 4


def test_aggregate_counts_are_recounted_from_host_rows_when_due(world, monkeypatch):
    # Given curl's aggregate drifted
    tenant = world["default"]
    key = keys.package_key(tenant, "curl")
    main_table().update_item(Key={"pk": key[0], "sk": key[1]}, UpdateExpression="SET installed_hosts = :i, security_hosts = :s",
                             ExpressionAttributeValues={":i": 5, ":s": 0})
    # When every aggregate is due today
    monkeypatch.setattr(cleanup, "ROTATION_DAYS", 1)
    summary = _run()
    # Then
    item = _get(key)
    assert (int(item["installed_hosts"]), int(item["outdated_hosts"]), int(item["security_hosts"])) == (2, 1, 1)
    assert summary["aggregates_corrected"] == 1


def test_aggregates_are_not_recounted_when_the_row_budget_is_spent(world, monkeypatch):
    tenant = world["default"]
    key = keys.package_key(tenant, "curl")
    main_table().update_item(Key={"pk": key[0], "sk": key[1]}, UpdateExpression="SET installed_hosts = :i",
                             ExpressionAttributeValues={":i": 5})
    monkeypatch.setattr(cleanup, "ROTATION_DAYS", 1)
    monkeypatch.setattr(cleanup, "ROW_BUDGET", 0)
    summary = _run()
    assert int(_get(key)["installed_hosts"]) == 5
    assert summary["budget_exhausted"] == 2 and summary["rows_read"] == 0


def test_a_drift_that_a_second_count_does_not_confirm_is_left_when_writes_are_in_flight(world, monkeypatch):
    # Given counts that move between the two counts (a report being indexed)
    tenant = world["default"]
    key = keys.package_key(tenant, "curl")
    main_table().update_item(Key={"pk": key[0], "sk": key[1]}, UpdateExpression="SET installed_hosts = :i",
                             ExpressionAttributeValues={":i": 5})
    moving = iter([{"installed_hosts": 2, "outdated_hosts": 1, "security_hosts": 1}, {"installed_hosts": 3, "outdated_hosts": 1,
                                                                                    "security_hosts": 1}])
    real_count = cleanup._count_rows
    monkeypatch.setattr(cleanup, "_count_rows", lambda tenant_id, kind, ident, summary: next(moving) if ident == "curl"
                        else real_count(tenant_id, kind, ident, summary))
    # When
    result = cleanup.clean_tenant(TenantContext.system(tenant, "test"), rotation_days=1)
    # Then
    assert int(_get(key)["installed_hosts"]) == 5 and result["conflicts"] == 1


def test_other_tenants_are_cleaned_when_one_tenant_fails(world, monkeypatch):
    # Given tenant A's cleanup fails
    real = cleanup.clean_tenant

    def failing_for_a(ctx, **kwargs):
        if ctx.tenant_id == world["default"]:
            raise RuntimeError("boom")
        return real(ctx, **kwargs)

    monkeypatch.setattr(cleanup, "clean_tenant", failing_for_a)
    # When
    summary = _run()
    # Then B was cleaned and A untouched
    assert (summary["tenants_failed"], summary["tenants_cleaned"]) == (1, 1)
    assert _get(keys.package_key(world["bravo"], "wget")) is None
    assert _get(keys.package_key(world["default"], "wget")) is not None


def test_cleaning_one_tenant_leaves_the_others_items_when_run_for_it(world):
    cleanup.clean_tenant(TenantContext.system(world["default"], "test"))
    assert _get(keys.package_key(world["default"], "wget")) is None
    assert _get(keys.package_key(world["bravo"], "wget")) is not None


def test_the_job_is_scheduled_daily_at_three_when_deployed():
    function = DEFINITION.function("inventory_cleanup")
    assert function.handler == "functions.inventory_cleanup.handler"
    assert [s.expression for s in function.schedules] == ["cron(0 3 * * ? *)"]
