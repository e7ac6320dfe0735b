"""Report history is kept for the tenant's `agent_reports_retention_days`: rows carry their TTL, and reads hide expired rows."""
from __future__ import annotations

import pytest
from boto3.dynamodb.types import TypeDeserializer

from chalicelib.core import clock
from chalicelib.inventory import service as inventory_service
from chalicelib.tenant import service as tenant_service
from tests.factories.fleet import enrol, full_report, package
from tests.factories.identity import make_tenant, sign_in

_deserialize = TypeDeserializer().deserialize


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _report_rows(aws, host_id: str) -> list[dict]:
    items = [{k: _deserialize(v) for k, v in item.items()} for item in aws.table_items()]
    return [i for i in items if i.get("host_id") == host_id and "report_type" in i and "expires_at" in i]


def _days_kept(row: dict) -> float:
    return (int(row["expires_at"]) - clock.epoch_seconds(clock.parse_iso(row["at"]))) / 86400


def test_report_rows_are_kept_the_default_30_days_when_retention_is_unchanged(admin, aws):
    agent = enrol(admin)
    assert agent.post("/hosts/update", full_report([package("curl")])).status_code == 200
    (row,) = _report_rows(aws, agent.host_id)
    assert _days_kept(row) == pytest.approx(30, abs=1 / 86400)


def test_report_rows_are_kept_the_tenants_retention_when_it_was_changed(admin, aws):
    # Given
    agent = enrol(admin)
    agent.post("/hosts/update", full_report([package("curl")]))
    assert admin.put("/api/v1/settings", {"agent_reports_retention_days": 7}).status_code == 200
    tenant_service.clear_cache()  # an instance re-reads its cached tenant within CACHE_SECONDS
    # When a report and a rejected report arrive
    agent.post("/hosts/update", full_report([package("curl"), package("wget")]))
    assert agent.post("/hosts/update", {"packages": []}).status_code == 400
    # Then the new rows expire after 7 days, the older one keeps its 30
    kept = sorted(round(_days_kept(r)) for r in _report_rows(aws, agent.host_id))
    assert kept == [7, 7, 30]


def test_reports_past_the_retention_are_hidden_when_listed(admin, aws, clock_at):
    # Given a 7-day retention and one report
    admin.put("/api/v1/settings", {"agent_reports_retention_days": 7})
    agent = enrol(admin)
    agent.post("/hosts/update", full_report([package("curl")]))
    tenant_id = admin.tenant.tenant_id
    assert len(inventory_service.host_reports(tenant_id, agent.host_id, limit=50, cursor=None)["reports"]) == 1
    # When 7 days have passed (TTL deletes lazily, so reads filter on expires_at)
    clock_at.advance(days=7, seconds=1)
    # Then
    assert inventory_service.host_reports(tenant_id, agent.host_id, limit=50, cursor=None)["reports"] == []


def test_retention_is_bounded_to_7_through_365_days_when_changed(admin):
    assert admin.put("/api/v1/settings", {"agent_reports_retention_days": 365}).json_body["agent_reports_retention_days"] == 365
    assert admin.put("/api/v1/settings", {"agent_reports_retention_days": 400}).status_code == 400
    assert admin.get("/api/v1/settings").json_body["agent_reports_retention_days"] == 365


def test_report_history_expires_by_dynamodb_ttl_when_the_table_is_provisioned(aws):
    ttl = aws.client("dynamodb").describe_time_to_live(TableName=aws.resources.tables["main"])["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == "expires_at"
