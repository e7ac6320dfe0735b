"""The audit log records security-relevant actions with actor, target, IP and time."""
from __future__ import annotations

from tests.factories.identity import login, make_user, sign_in


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
