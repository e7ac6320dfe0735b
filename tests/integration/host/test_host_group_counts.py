"""Host counts per group: kept on the group as memberships change, never read from the fleet, never negative."""
from __future__ import annotations

import json

import pytest

from chalicelib.core import keys
from chalicelib.core.db import main_table
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import groups
from chalicelib.inventory import cleanup
from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _group(admin, name: str) -> str:
    response = admin.post("/api/v1/host-groups", {"name": name})
    assert response.status_code == 201, response.body
    return response.json_body["id"]


def _counts(admin) -> dict[str, int]:
    """{group name: host_count} from the list, checked against each group's own page."""
    listed = admin.get("/api/v1/host-groups").json_body["groups"]
    for group in listed:
        assert admin.get(f"/api/v1/host-groups/{group['id']}").json_body["host_count"] == group["host_count"]
    return {g["name"]: g["host_count"] for g in listed}


def _stored_count(tenant_id: str, group_id: str):
    pk, sk = keys.host_group_key(tenant_id, group_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk})["Item"].get("host_count")


def _set_stored_count(tenant_id: str, group_id: str, value: int) -> None:
    pk, sk = keys.host_group_key(tenant_id, group_id)
    main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET host_count = :v", ExpressionAttributeValues={":v": value})


def test_new_group_shows_zero_hosts_when_created(admin):
    # When
    created = admin.post("/api/v1/host-groups", {"name": "web"}).json_body
    # Then
    assert created["host_count"] == 0
    assert _counts(admin) == {"web": 0}


def test_group_counts_the_hosts_enrolled_into_it_when_hosts_are_created_with_groups(admin):
    # Given
    web, db = _group(admin, "web"), _group(admin, "db")
    # When
    enrol(admin, "a", hostGroupIds=[web, db])
    enrol(admin, "b", hostGroupIds=[web, web])  # a repeated id counts once
    enrol(admin, "c")
    # Then
    assert _counts(admin) == {"db": 1, "web": 2}


def test_group_counts_follow_a_host_when_its_groups_are_set(admin):
    # Given
    web, db, cache = _group(admin, "web"), _group(admin, "db"), _group(admin, "cache")
    a = enrol(admin, "a", hostGroupIds=[web, db])
    # When a moves from web+db to db+cache
    response = admin.put(f"/api/v1/hosts/{a.host_id}/groups", {"groupIds": [db, cache]})
    # Then
    assert response.status_code == 200 and response.json_body["group_ids"] == [db, cache]
    assert _counts(admin) == {"cache": 1, "db": 1, "web": 0}
    # When it is set to the same groups again, nothing moves
    admin.put(f"/api/v1/hosts/{a.host_id}/groups", {"groupIds": [db, cache]})
    assert _counts(admin) == {"cache": 1, "db": 1, "web": 0}
    # When it leaves every group
    admin.put(f"/api/v1/hosts/{a.host_id}/groups", {"groupIds": []})
    assert _counts(admin) == {"cache": 0, "db": 0, "web": 0}


def test_group_counts_follow_a_bulk_assignment_when_hosts_are_moved_together(admin):
    # Given
    web, db = _group(admin, "web"), _group(admin, "db")
    a, b, c = enrol(admin, "a", hostGroupIds=[web]), enrol(admin, "b", hostGroupIds=[web]), enrol(admin, "c", hostGroupIds=[web])
    # When
    response = admin.put("/api/v1/hosts/bulk/groups", {"hostIds": [a.host_id, b.host_id], "groupIds": [db]})
    # Then
    assert response.json_body == {"updated": 2}
    assert _counts(admin) == {"db": 2, "web": 1}
    assert [h["host_id"] for h in admin.get(f"/api/v1/host-groups/{web}/hosts").json_body["hosts"]] == [c.host_id]


def test_group_counts_drop_when_member_hosts_are_deleted_one_by_one_or_in_bulk(admin):
    # Given
    web, db = _group(admin, "web"), _group(admin, "db")
    a = enrol(admin, "a", hostGroupIds=[web, db])
    b, c = enrol(admin, "b", hostGroupIds=[web]), enrol(admin, "c", hostGroupIds=[db])
    # When
    admin.delete(f"/api/v1/hosts/{a.host_id}")
    # Then
    assert _counts(admin) == {"db": 1, "web": 1}
    # When
    response = admin.client.http.delete("/api/v1/hosts/bulk", headers=admin.headers(), body=json.dumps({"hostIds": [b.host_id, c.host_id]}))
    # Then
    assert response.json_body["deleted"] == [b.host_id, c.host_id]
    assert _counts(admin) == {"db": 0, "web": 0}
    assert admin.delete(f"/api/v1/host-groups/{web}").status_code == 200


def test_group_count_is_never_negative_when_the_stored_count_had_drifted_to_zero(admin):
    # Given a group whose stored count is wrongly zero while a host is in it
    web = _group(admin, "web")
    a = enrol(admin, "a", hostGroupIds=[web])
    _set_stored_count(admin.tenant.tenant_id, web, 0)
    # When the host leaves
    assert admin.put(f"/api/v1/hosts/{a.host_id}/groups", {"groupIds": []}).status_code == 200
    # Then the count stays at zero
    assert _stored_count(admin.tenant.tenant_id, web) == 0 and _counts(admin) == {"web": 0}


def test_renaming_a_group_keeps_its_host_count(admin):
    # Given
    web = _group(admin, "web")
    enrol(admin, "a", hostGroupIds=[web])
    # When
    response = admin.put(f"/api/v1/host-groups/{web}", {"name": "frontend", "color": "#000000"})
    # Then
    assert response.status_code == 200 and response.json_body["host_count"] == 1
    assert _counts(admin) == {"frontend": 1}


def test_group_delete_is_refused_while_its_count_has_hosts_and_allowed_once_they_left(admin):
    # Given
    web = _group(admin, "web")
    a, b = enrol(admin, "a", hostGroupIds=[web]), enrol(admin, "b", hostGroupIds=[web])
    # When
    admin.put(f"/api/v1/hosts/{a.host_id}/groups", {"groupIds": []})
    refused = admin.delete(f"/api/v1/host-groups/{web}")
    # Then
    assert refused.status_code == 409 and refused.json_body["error"] == "Host group still has hosts; move them out of it first"
    assert _counts(admin) == {"web": 1}
    # When the last member leaves
    admin.put("/api/v1/hosts/bulk/groups", {"hostIds": [b.host_id], "groupIds": []})
    assert admin.delete(f"/api/v1/host-groups/{web}").status_code == 200


def test_host_is_not_created_when_its_group_is_deleted_before_the_write(admin, aws, monkeypatch):
    """The join is conditioned on the group in the same transaction: a group gone meanwhile refuses the host and writes nothing."""
    # Given the group check passed, then the group went away
    web = _group(admin, "web")
    real_require_all = groups.require_all

    def checked_then_deleted(ctx, group_ids):
        found = real_require_all(ctx, group_ids)
        pk, sk = keys.host_group_key(ctx.tenant_id, web)
        main_table().delete_item(Key={"pk": pk, "sk": sk})
        return found

    monkeypatch.setattr(groups, "require_all", checked_then_deleted)
    before = sorted(str(i) for i in aws.table_items() if not i["sk"]["S"].startswith(("COUNTER#", "SESSION#", "HGROUP#")))
    # When
    response = admin.post("/api/v1/hosts/create", {"friendly_name": "a", "hostGroupIds": [web]})
    # Then
    assert response.status_code == 400
    assert response.json_body == {"error": f"Host group not found: {web}", "code": "invalid_input"}
    after = sorted(str(i) for i in aws.table_items() if not i["sk"]["S"].startswith(("COUNTER#", "SESSION#", "HGROUP#")))
    assert after == before
    assert admin.get("/api/v1/hosts").json_body["hosts"] == []


def test_group_list_reads_no_host_when_counting(admin):
    """The counts come from the groups themselves: listing groups does not read the fleet."""
    # Given
    web = _group(admin, "web")
    for name in ("a", "b", "c"):
        enrol(admin, name, hostGroupIds=[web])
    calls: list[str] = []
    events = main_table().meta.client.meta.events

    def record(model, params, **_):
        calls.append(str(params.get("body")))

    # When
    events.register("before-call.dynamodb.*", record)
    try:
        listed = admin.get("/api/v1/host-groups").json_body["groups"]
    finally:
        events.unregister("before-call.dynamodb.*", record)
    # Then
    assert [g["host_count"] for g in listed] == [3]
    assert not any("HOST#" in body or "#HOSTS" in body for body in calls)


def test_daily_cleanup_corrects_a_drifted_group_count_when_it_runs(admin, monkeypatch):
    # Given one group counted too high, one too low, one right
    monkeypatch.setattr(cleanup, "CONFIRM_DELAY_SECONDS", 0)
    tenant_id = admin.tenant.tenant_id
    web, db, _ = _group(admin, "web"), _group(admin, "db"), _group(admin, "ok")
    enrol(admin, "a", hostGroupIds=[web, db])
    enrol(admin, "b", hostGroupIds=[db])
    _set_stored_count(tenant_id, web, 5)
    _set_stored_count(tenant_id, db, 0)
    # When
    summary = cleanup.clean_tenant(TenantContext.system(tenant_id, "test"))
    # Then
    assert _counts(admin) == {"db": 2, "ok": 0, "web": 1}
    assert summary["group_counts_corrected"] == 2
    # and a second run finds nothing to correct
    assert cleanup.clean_tenant(TenantContext.system(tenant_id, "test"))["group_counts_corrected"] == 0
