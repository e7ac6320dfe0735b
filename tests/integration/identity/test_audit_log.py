"""The audit log records security-relevant actions with actor, target, IP and time."""
from __future__ import annotations

import json

from chalicelib.audit import service as audit_service
from chalicelib.core import keys
from tests.factories.identity import PASSWORD, host_of, login, make_tenant, make_user, sign_in


def test_logins_user_changes_and_settings_are_audited_when_they_happen(client, tenant, admin):
    make_user(tenant, "carol")
    login(client, tenant, "carol", "Wrong-Passw0rd!")
    login(client, tenant, "carol")
    created = admin.post("/api/v1/auth/admin/users", {"username": "dave", "email": "dave@example.com", "password": "Corr3ct-Horse!"})
    admin.put(f"/api/v1/auth/admin/users/{created.json_body['id']}", {"role": "readonly"})
    settings = admin.get("/api/v1/settings/security").json_body
    admin.put("/api/v1/settings/security", settings)
    events = admin.get("/api/v1/audit-log?limit=50").json_body["events"]
    actions = [(e["action"], e["outcome"]) for e in events]
    for expected in [("login", "failure"), ("login", "success"), ("user_created", "success"), ("user_updated", "success"),
                     ("settings_updated", "success")]:
        assert expected in actions
    created_event = next(e for e in events if e["action"] == "user_created")
    assert created_event["actor"] == f"user:{admin.user_id}"
    assert created_event["target_id"] == created.json_body["id"]
    assert created_event["at"].endswith("Z") and "source_ip" in created_event


def test_audit_log_filters_by_action_and_outcome_newest_first(client, tenant, admin):
    make_user(tenant, "carol")
    for _ in range(3):
        login(client, tenant, "carol", "Wrong-Passw0rd!")
    failures = admin.get("/api/v1/audit-log?action=login&outcome=failure").json_body["events"]
    assert len(failures) == 3 and all(e["action"] == "login" and e["outcome"] == "failure" for e in failures)
    assert [e["at"] for e in failures] == sorted((e["at"] for e in failures), reverse=True)


def test_audit_log_is_forbidden_when_user_cannot_manage_settings(client, tenant):
    viewer = sign_in(client, tenant, "viewer", role="host_manager")
    assert viewer.get("/api/v1/audit-log").status_code == 403


def test_audit_log_pages_with_a_cursor_when_there_are_more_events(client, tenant, admin):
    make_user(tenant, "carol")
    for _ in range(4):
        login(client, tenant, "carol", "Wrong-Passw0rd!")
    first = admin.get("/api/v1/audit-log?limit=2").json_body
    second = admin.get(f"/api/v1/audit-log?limit=2&cursor={first['next_cursor']}").json_body
    assert first["next_cursor"] and {e["event_id"] for e in first["events"]}.isdisjoint(e["event_id"] for e in second["events"])


def test_role_and_session_changes_are_audited_when_made(client, tenant, admin):
    from tests.factories.identity import login as do_login

    admin.put("/api/v1/permissions/roles/noc", {"preset": "operator"})
    admin.put("/api/v1/permissions/roles/noc", {"preset": "readonly"})
    admin.delete("/api/v1/permissions/roles/noc")
    do_login(client, tenant, "root")
    admin.delete("/api/v1/auth/sessions")
    actions = [e["action"] for e in admin.get("/api/v1/audit-log?limit=100").json_body["events"]]
    for expected in ("role_created", "role_updated", "role_deleted", "sessions_revoked"):
        assert expected in actions


def _events(admin, query: str = "") -> list[dict]:
    response = admin.get(f"/api/v1/audit-log?limit=200{query}")
    assert response.status_code == 200, response.body
    return response.json_body["events"]


def _noise(tenant_id: str, count: int) -> None:
    for _ in range(count):
        audit_service.record(None, tenant_id=tenant_id, action="noise")


# --- storage -----------------------------------------------------------------------------------------
def test_audit_events_are_stored_in_their_own_partition_when_recorded(client, tenant, admin, aws):
    # When
    admin.post("/api/v1/host-groups", {"name": "web"})
    # Then every audit event is under T#<tenant>#AUDIT, none in the tenant's main partition
    items = aws.table_items()
    audit_pks = {i["pk"]["S"] for i in items if i["sk"]["S"].startswith("AUDIT#")}
    assert audit_pks == {keys.audit_partition(tenant.tenant_id)} == {f"T#{tenant.tenant_id}#AUDIT"}
    assert any(i["action"]["S"] == "host_group_created" for i in items if i["pk"]["S"] == f"T#{tenant.tenant_id}#AUDIT")
    assert [e["action"] for e in _events(admin, "&action=host_group_created")] == ["host_group_created"]


# --- filtered pages ----------------------------------------------------------------------------------
def test_audit_log_filter_fills_the_first_page_when_matches_are_sparse(client, tenant, admin):
    # Given one matching event behind 60 newer ones that do not match (DynamoDB filters after its Limit)
    admin.post("/api/v1/host-groups", {"name": "web"})
    _noise(tenant.tenant_id, 60)
    # When
    page = admin.get("/api/v1/audit-log?action=host_group_created&limit=5").json_body
    # Then
    assert [e["action"] for e in page["events"]] == ["host_group_created"]
    assert page["next_cursor"] is None


def test_audit_log_filtered_pages_walk_every_match_once_when_the_limit_is_small(client, tenant, admin):
    # Given seven matches spread among 70 other events
    for i in range(7):
        admin.post("/api/v1/host-groups", {"name": f"g{i}"})
        _noise(tenant.tenant_id, 10)
    expected = [e["event_id"] for e in _events(admin, "&action=host_group_created")]
    # When walked two at a time
    seen, cursor = [], None
    for _ in range(20):
        page = admin.get("/api/v1/audit-log?action=host_group_created&limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(page["events"]) <= 2
        seen += [e["event_id"] for e in page["events"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Then every match comes once, newest first
    assert len(expected) == 7 and seen == expected


# --- who did it --------------------------------------------------------------------------------------
def _post(client, tenant, path: str, body: dict):
    return client.http.post(path, headers={"Host": host_of(tenant), "Content-Type": "application/json"}, body=json.dumps(body))


def test_setup_sign_in_and_sign_up_events_name_the_user_as_actor_when_recorded(client):
    # Given a new organisation set up by its first user, who enables sign-up
    tenant = make_tenant("fresh")
    setup = _post(client, tenant, "/api/v1/auth/setup-admin", {"username": "first", "email": "first@example.com", "password": PASSWORD})
    assert setup.status_code == 201, setup.body
    first_id = setup.json_body["user"]["id"]
    admin = sign_in(client, tenant, "second_admin", role="superadmin")
    settings = admin.get("/api/v1/settings/security").json_body
    admin.put("/api/v1/settings/security", {**settings, "signup_enabled": True, "default_user_role": "readonly"})
    # When a user signs up, and the first user signs in again
    signed_up = _post(client, tenant, "/api/v1/auth/signup", {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD})
    newbie_id = signed_up.json_body["user"]["id"]
    assert login(client, tenant, "first").status_code == 200
    # Then filtering by user finds each of their events
    assert sorted(e["action"] for e in _events(admin, f"&actor_user_id={first_id}")) == ["login", "login", "setup_admin"]
    assert sorted(e["action"] for e in _events(admin, f"&actor_user_id={newbie_id}")) == ["login", "user_signup"]
    assert [e["actor_user_id"] for e in _events(admin, f"&action=login&actor_user_id={admin.user_id}")] == [admin.user_id]


def test_failed_sign_in_of_an_existing_user_is_filed_under_them_while_the_answer_does_not_tell(client, tenant, admin):
    # Given
    carol = make_user(tenant, "carol")
    # When a wrong password is given for carol, and any password for a name nobody has
    wrong = login(client, tenant, "carol", "Wrong-Passw0rd!")
    unknown = login(client, tenant, "nobody", "Wrong-Passw0rd!")
    # Then both answers are the same
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json_body == unknown.json_body
    # and the audit log files the first under carol, the second under no one
    carols = _events(admin, f"&actor_user_id={carol['user_id']}")
    assert [(e["action"], e["outcome"], e["target_id"], e["details"]["reason"]) for e in carols] == [
        ("login", "failure", carol["user_id"], "invalid_credentials")]
    failures = _events(admin, "&action=login&outcome=failure")
    assert len(failures) == 2 and [e for e in failures if "actor_user_id" not in e and "target_id" not in e]


def test_host_group_changes_are_audited_when_made(client, tenant, admin):
    # When
    group = admin.post("/api/v1/host-groups", {"name": "web", "color": "#111111"}).json_body
    admin.put(f"/api/v1/host-groups/{group['id']}", {"name": "frontend"})
    admin.delete(f"/api/v1/host-groups/{group['id']}")
    refused = admin.put(f"/api/v1/host-groups/{group['id']}", {"name": "again"})
    # Then
    assert refused.status_code == 404
    events = [e for e in _events(admin) if e.get("target_type") == "host_group"]
    assert [(e["action"], e["target_id"], e["actor_user_id"], e["outcome"]) for e in events] == [
        ("host_group_deleted", group["id"], admin.user_id, "success"),
        ("host_group_updated", group["id"], admin.user_id, "success"),
        ("host_group_created", group["id"], admin.user_id, "success"),
    ]
    assert events[2]["details"] == {"name": "web", "color": "#111111"}
    assert events[1]["details"] == {"changed": {"name": "frontend"}}
    assert events[0]["details"] == {"name": "frontend"}
