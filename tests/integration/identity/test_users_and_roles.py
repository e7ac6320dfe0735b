"""User administration with rank and escalation rules, and the role matrix with custom roles."""
from __future__ import annotations

from tests.factories.identity import PASSWORD, login, make_tenant, make_user, sign_in


def _new(username: str, role: str = "user") -> dict:
    return {"username": username, "email": f"{username}@example.com", "password": PASSWORD, "role": role}


def test_admin_creates_an_active_user_when_role_is_below_admin(client, tenant):
    admin = sign_in(client, tenant, "boss", role="admin")
    response = admin.post("/api/v1/auth/admin/users", _new("carol", "host_manager"))
    assert response.status_code == 201
    assert response.json_body["role"] == "host_manager" and response.json_body["is_active"] is True
    assert login(client, tenant, "carol").status_code == 200


def test_admin_cannot_create_an_admin_when_not_superadmin(client, tenant):
    admin = sign_in(client, tenant, "boss", role="admin")
    response = admin.post("/api/v1/auth/admin/users", _new("eve", "admin"))
    assert response.status_code == 403
    assert response.json_body["error"] == "You do not have permission to assign the role: admin"


def test_superadmin_creates_admins_when_asked(client, admin):
    assert admin.post("/api/v1/auth/admin/users", _new("deputy", "admin")).status_code == 201


def test_user_without_manage_users_is_forbidden_when_creating(client, tenant):
    plain = sign_in(client, tenant, "plain", role="user")
    response = plain.post("/api/v1/auth/admin/users", _new("x"))
    assert response.status_code == 403
    assert response.json_body["error"] == "Insufficient permissions"


def test_duplicate_username_or_email_conflicts_when_creating(client, admin):
    assert admin.post("/api/v1/auth/admin/users", _new("carol")).status_code == 201
    assert admin.post("/api/v1/auth/admin/users", _new("CAROL")).status_code == 409
    assert admin.post("/api/v1/auth/admin/users", {**_new("other"), "email": "carol@example.com"}).status_code == 409


def test_password_policy_applies_when_an_admin_creates_a_user(client, admin):
    response = admin.post("/api/v1/auth/admin/users", {**_new("weak"), "password": "password"})
    assert response.status_code == 400
    assert response.json_body["error"].startswith("Password must contain")


def test_own_role_cannot_be_changed_when_editing_yourself(client, tenant):
    admin = sign_in(client, tenant, "boss", role="admin")
    response = admin.put(f"/api/v1/auth/admin/users/{admin.user_id}", {"role": "user"})
    assert response.status_code == 403
    assert response.json_body["error"] == "Cannot change your own role"


def test_role_change_revokes_every_session_of_the_user_when_saved(client, admin, tenant):
    carol = sign_in(client, tenant, "carol", role="user")
    assert admin.put(f"/api/v1/auth/admin/users/{carol.user_id}", {"role": "readonly"}).status_code == 200
    assert carol.get("/api/v1/auth/profile").status_code == 401
    fresh = sign_in.__globals__["login"](client, tenant, "carol")
    assert fresh.json_body["user"]["role"] == "readonly"


def test_deactivated_user_is_signed_out_and_cannot_log_in_until_reactivated(client, admin, tenant):
    carol = sign_in(client, tenant, "carol")
    assert admin.put(f"/api/v1/auth/admin/users/{carol.user_id}", {"is_active": False}).status_code == 200
    assert carol.get("/api/v1/auth/profile").status_code == 401
    assert login(client, tenant, "carol").status_code == 401
    assert admin.put(f"/api/v1/auth/admin/users/{carol.user_id}", {"is_active": True}).status_code == 200
    assert login(client, tenant, "carol").status_code == 200


def test_reset_password_ends_sessions_and_is_refused_for_inactive_users(client, admin, tenant):
    carol = sign_in(client, tenant, "carol")
    assert admin.post(f"/api/v1/auth/admin/users/{carol.user_id}/reset-password", {"newPassword": "Res3t-Passw0rd!"}).status_code == 200
    assert carol.get("/api/v1/auth/profile").status_code == 401
    assert login(client, tenant, "carol", "Res3t-Passw0rd!").status_code == 200
    dan = make_user(tenant, "dan", active=False)
    refused = admin.post(f"/api/v1/auth/admin/users/{dan['user_id']}/reset-password", {"newPassword": "Res3t-Passw0rd!"})
    assert refused.status_code == 400


def test_host_manager_cannot_touch_an_admin_when_holding_manage_users(client, tenant, admin):
    # Given a custom role that can manage users but sits at rank 30
    assert admin.put("/api/v1/permissions/roles/helpdesk", {"permissions": ["can_view_users", "can_manage_users"]}).status_code == 200
    helpdesk = sign_in(client, tenant, "desk", role="helpdesk")
    boss = make_user(tenant, "boss", role="admin")
    # Then
    assert helpdesk.put(f"/api/v1/auth/admin/users/{boss['user_id']}", {"first_name": "X"}).status_code == 403
    assert helpdesk.delete(f"/api/v1/auth/admin/users/{boss['user_id']}").status_code == 403
    readonly = make_user(tenant, "viewer", role="readonly")
    assert helpdesk.put(f"/api/v1/auth/admin/users/{readonly['user_id']}", {"first_name": "V"}).status_code == 200


def test_custom_role_with_manage_superusers_may_manage_superadmins(client, tenant, admin):
    admin.put("/api/v1/permissions/roles/security_officer", {"permissions": ["can_view_users", "can_manage_users", "can_manage_superusers"]})
    officer = sign_in(client, tenant, "officer", role="security_officer")
    assert officer.post("/api/v1/auth/admin/users", _new("second_root", "superadmin")).status_code == 201


def test_self_and_last_superadmin_cannot_be_deleted(client, tenant, admin):
    assert admin.delete(f"/api/v1/auth/admin/users/{admin.user_id}").status_code == 403
    admin.put("/api/v1/permissions/roles/security_officer", {"permissions": ["can_view_users", "can_manage_users", "can_manage_superusers"]})
    officer = sign_in(client, tenant, "officer", role="security_officer")
    response = officer.delete(f"/api/v1/auth/admin/users/{admin.user_id}")
    assert response.status_code == 409
    assert response.json_body["error"] == "Cannot delete the last superadmin user"


def test_deleted_user_loses_sessions_and_account_when_deleted(client, admin, tenant):
    carol = sign_in(client, tenant, "carol")
    assert admin.delete(f"/api/v1/auth/admin/users/{carol.user_id}").status_code == 200
    assert carol.get("/api/v1/auth/profile").status_code == 401
    assert admin.get(f"/api/v1/auth/admin/users/{carol.user_id}").status_code == 404
    assert admin.post("/api/v1/auth/admin/users", _new("carol")).status_code == 201  # username released


def test_user_list_never_exposes_password_hashes(client, admin, tenant):
    make_user(tenant, "carol")
    body = admin.get("/api/v1/auth/admin/users").body
    assert b"password" not in body and b"argon2" not in body


def test_role_matrix_shows_builtins_with_documented_counts(client, admin):
    roles = {r["role"]: r for r in admin.get("/api/v1/permissions/roles").json_body["roles"]}
    assert {k: roles[k]["granted"] for k in ("superadmin", "admin", "host_manager", "user", "readonly")} == {
        "superadmin": 20, "admin": 20, "host_manager": 13, "user": 6, "readonly": 5}
    assert all(r["total"] == 20 for r in roles.values())
    assert {k for k, r in roles.items() if r["locked"]} == {"superadmin", "admin", "user"}


def test_locked_role_cannot_be_edited_when_asked(client, admin):
    response = admin.put("/api/v1/permissions/roles/user", {"permissions": ["can_manage_hosts"]})
    assert response.status_code == 403
    assert response.json_body["error"] == "Cannot modify built-in role permissions"


def test_editing_an_editable_builtin_applies_at_once_to_its_holders(client, admin, tenant):
    viewer = sign_in(client, tenant, "viewer", role="readonly")
    assert "can_export_data" not in viewer.get("/api/v1/me/context").json_body["permissions"]
    admin.put("/api/v1/permissions/roles/readonly", {"preset": "readonly", "permissions": {"can_export_data": True}})
    assert "can_export_data" in viewer.get("/api/v1/me/context").json_body["permissions"]


def test_custom_role_from_a_preset_is_assignable_and_not_deletable_while_held(client, admin, tenant):
    created = admin.put("/api/v1/permissions/roles/noc_operator", {"preset": "operator"})
    assert created.status_code == 200 and created.json_body["granted"] == 13
    user = admin.post("/api/v1/auth/admin/users", _new("nina", "noc_operator")).json_body
    refused = admin.delete("/api/v1/permissions/roles/noc_operator")
    assert refused.status_code == 409 and refused.json_body["error"] == "Cannot delete role: users are assigned to it"
    admin.delete(f"/api/v1/auth/admin/users/{user['id']}")
    assert admin.delete("/api/v1/permissions/roles/noc_operator").status_code == 200


def test_custom_roles_need_the_rbac_custom_module_when_plan_lacks_it(client):
    free = make_tenant("freebie", plan="free")
    admin = sign_in(client, free, "root", role="superadmin")
    response = admin.put("/api/v1/permissions/roles/noc", {"preset": "operator"})
    assert response.status_code == 403
    assert response.json_body == {"error": "module not available in your plan", "code": "module_not_available"}
    assert admin.get("/api/v1/permissions/roles").status_code == 200  # the matrix itself is not gated


def test_unknown_role_is_refused_when_assigning(client, admin):
    response = admin.post("/api/v1/auth/admin/users", _new("x", "no_such_role"))
    assert response.status_code == 400
