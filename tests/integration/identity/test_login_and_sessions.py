"""Setup, login, lockout, tokens, refresh, inactivity, logout, sessions, cookies and CSRF."""
from __future__ import annotations

import json

from tests.factories.identity import PASSWORD, cookie_value, host_of, login, make_tenant, make_user, set_cookies, sign_in

JSON = {"Content-Type": "application/json"}


def _post(client, tenant, path, body, **headers):
    return client.http.post(path, headers={"Host": host_of(tenant), **JSON, **headers}, body=json.dumps(body))


def test_first_user_is_superadmin_whatever_role_is_sent_when_setting_up(client, tenant):
    response = _post(client, tenant, "/api/v1/auth/setup-admin",
                     {"username": "first", "email": "first@example.com", "password": PASSWORD, "role": "readonly"})
    assert response.status_code == 201
    assert response.json_body["user"]["role"] == "superadmin"
    assert response.json_body["token"]


def test_setup_is_refused_with_409_when_the_tenant_has_users(client, tenant):
    make_user(tenant, "existing")
    response = _post(client, tenant, "/api/v1/auth/setup-admin", {"username": "late", "email": "late@example.com", "password": PASSWORD})
    assert response.status_code == 409
    assert response.json_body["error"] == "Setup has already been completed"


def test_setup_status_reports_pending_until_the_first_user_exists(client, tenant):
    pending = {"needs_setup": True, "setup_link_required": False}  # the local default tenant: no setup link
    assert client.http.get("/api/v1/auth/setup-status", headers={"Host": "localhost"}).json_body == pending
    make_user(tenant, "someone")
    done = {"needs_setup": False, "setup_link_required": False}
    assert client.http.get("/api/v1/auth/setup-status", headers={"Host": "localhost"}).json_body == done


def test_weak_password_is_refused_with_the_rules_it_breaks_when_setting_up(client, tenant):
    response = _post(client, tenant, "/api/v1/auth/setup-admin", {"username": "first", "email": "f@example.com", "password": "short"})
    assert response.status_code == 400
    assert response.json_body["error"] == ("Password must contain at least 8 characters, an uppercase letter, a number, "
                                           "a special character")


def test_login_works_with_username_or_email_when_password_matches(client, tenant):
    make_user(tenant, "alice")
    assert login(client, tenant, "alice").status_code == 200
    assert login(client, tenant, "ALICE@example.com").status_code == 200


def test_login_answers_the_same_401_when_user_is_unknown_or_password_wrong(client, tenant):
    make_user(tenant, "alice")
    wrong = login(client, tenant, "alice", "Wrong-Passw0rd!")
    unknown = login(client, tenant, "nobody", "Wrong-Passw0rd!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json_body["error"] == unknown.json_body["error"] == "Invalid credentials"


def test_inactive_user_cannot_log_in_when_password_is_right(client, tenant):
    make_user(tenant, "gone", active=False)
    response = login(client, tenant, "gone")
    assert response.status_code == 401


def test_account_locks_for_15_minutes_after_5_failures_when_password_keeps_failing(client, tenant, clock_at):
    # Given
    make_user(tenant, "alice")
    for _ in range(5):
        assert login(client, tenant, "alice", "Wrong-Passw0rd!").status_code == 401
    # When the right password comes while locked
    locked = login(client, tenant, "alice")
    # Then
    assert locked.status_code == 429
    assert locked.json_body["code"] == "account_locked"
    assert 0 < locked.json_body["remaining_seconds"] <= 15 * 60
    assert int(locked.headers["Retry-After"]) == locked.json_body["remaining_seconds"]
    clock_at.advance(minutes=15, seconds=1)
    assert login(client, tenant, "alice").status_code == 200


def test_success_clears_earlier_failures_when_logging_in(client, tenant):
    make_user(tenant, "alice")
    for _ in range(4):
        login(client, tenant, "alice", "Wrong-Passw0rd!")
    assert login(client, tenant, "alice").status_code == 200
    for _ in range(4):
        login(client, tenant, "alice", "Wrong-Passw0rd!")
    assert login(client, tenant, "alice").status_code == 200


def test_access_token_expires_after_an_hour_when_not_refreshed(client, tenant, clock_at):
    alice = sign_in(client, tenant, "alice")
    clock_at.advance(minutes=29)
    assert alice.get("/api/v1/auth/profile").status_code == 200
    clock_at.advance(minutes=29)
    assert alice.get("/api/v1/auth/profile").status_code == 200
    clock_at.advance(minutes=3)
    response = alice.get("/api/v1/auth/profile")
    assert response.status_code == 401
    assert response.json_body["code"] == "token_expired"


def test_refresh_gives_a_new_access_token_and_rotates_the_refresh_token(client, tenant):
    alice = sign_in(client, tenant, "alice")
    refreshed = _post(client, tenant, "/api/v1/auth/refresh", {"refresh_token": alice.refresh_token})
    assert refreshed.status_code == 200
    assert refreshed.json_body["refresh_token"] != alice.refresh_token
    alice.token = refreshed.json_body["token"]
    assert alice.get("/api/v1/auth/profile").status_code == 200


def test_reused_refresh_token_revokes_the_session_when_presented_again(client, tenant):
    alice = sign_in(client, tenant, "alice")
    assert _post(client, tenant, "/api/v1/auth/refresh", {"refresh_token": alice.refresh_token}).status_code == 200
    reused = _post(client, tenant, "/api/v1/auth/refresh", {"refresh_token": alice.refresh_token})
    assert reused.status_code == 401
    assert alice.get("/api/v1/auth/profile").status_code == 401


def test_refresh_token_lasts_7_days_or_30_with_remember_me(client, tenant):
    make_user(tenant, "alice")
    plain = login(client, tenant, "alice")
    remembered = login(client, tenant, "alice", remember_me=True)

    def refresh_max_age(response):
        return int(set_cookies(response)["refresh_token"].split("Max-Age=")[1].split(";")[0])

    assert refresh_max_age(plain) == 7 * 86400
    assert refresh_max_age(remembered) == 30 * 86400


def test_session_ends_after_30_idle_minutes_when_no_request_comes(client, tenant, clock_at):
    alice = sign_in(client, tenant, "alice")
    clock_at.advance(minutes=25)
    assert alice.get("/api/v1/auth/profile").status_code == 200  # 25 idle minutes: still alive, and active again
    clock_at.advance(minutes=31)  # the access token (1 h) is still valid; the session is not
    response = alice.get("/api/v1/auth/profile")
    assert response.status_code == 401
    assert response.json_body["error"] == "Session expired due to inactivity"


def test_logout_revokes_the_token_when_called(client, tenant):
    alice = sign_in(client, tenant, "alice")
    assert alice.post("/api/v1/auth/logout").status_code == 200
    assert alice.get("/api/v1/auth/profile").status_code == 401


def test_sessions_are_listed_and_revocable_when_signed_in_twice(client, tenant):
    alice = sign_in(client, tenant, "alice")
    second = login(client, tenant, "alice").json_body["token"]
    sessions = alice.get("/api/v1/auth/sessions").json_body["sessions"]
    assert len(sessions) == 2 and sum(s["is_current"] for s in sessions) == 1
    other = next(s["id"] for s in sessions if not s["is_current"])
    assert alice.delete(f"/api/v1/auth/sessions/{other}").status_code == 200
    response = client.http.get("/api/v1/auth/profile", headers={"Host": "localhost", "Authorization": f"Bearer {second}"})
    assert response.status_code == 401


def test_another_users_session_id_is_not_found_when_revoking(client, tenant):
    alice = sign_in(client, tenant, "alice")
    bob = sign_in(client, tenant, "bob")
    bobs = bob.get("/api/v1/auth/sessions").json_body["sessions"][0]["id"]
    assert alice.delete(f"/api/v1/auth/sessions/{bobs}").status_code == 404
    assert bob.get("/api/v1/auth/profile").status_code == 200


def _cookie_headers(response) -> dict[str, str]:
    return {name: cookie_value(value) for name, value in set_cookies(response).items()}


def test_cookie_auth_reads_but_writes_need_the_csrf_header_when_cookie_is_used(client, tenant):
    make_user(tenant, "alice")
    jar = _cookie_headers(login(client, tenant, "alice"))
    cookie = f"token={jar['token']}; csrf_token={jar['csrf_token']}"
    base = {"Host": "localhost", "Cookie": cookie, **JSON}
    assert client.http.get("/api/v1/auth/profile", headers=base).status_code == 200
    refused = client.http.post("/api/v1/auth/heartbeat", headers=base, body=b"")
    assert refused.status_code == 403 and refused.json_body["code"] == "csrf_failed"
    accepted = client.http.post("/api/v1/auth/heartbeat", headers={**base, "X-CSRF-Token": jar["csrf_token"]}, body=b"")
    assert accepted.status_code == 200


def test_auth_cookies_are_httponly_except_the_csrf_token_when_set(client, tenant):
    make_user(tenant, "alice")
    parts = set_cookies(login(client, tenant, "alice"))
    assert "HttpOnly" in parts["token"] and "HttpOnly" in parts["refresh_token"]
    assert "HttpOnly" not in parts["csrf_token"]
    assert all("SameSite=Lax" in p for p in parts.values())


def test_change_password_ends_other_sessions_but_not_this_one(client, tenant):
    alice = sign_in(client, tenant, "alice")
    other = login(client, tenant, "alice").json_body["token"]
    response = alice.put("/api/v1/auth/change-password", {"currentPassword": PASSWORD, "newPassword": "N3w-Passw0rd!"})
    assert response.status_code == 200
    assert alice.get("/api/v1/auth/profile").status_code == 200
    assert client.http.get("/api/v1/auth/profile", headers={"Host": "localhost", "Authorization": f"Bearer {other}"}).status_code == 401
    assert login(client, tenant, "alice", "N3w-Passw0rd!").status_code == 200


def test_change_password_is_refused_when_current_password_is_wrong(client, tenant):
    alice = sign_in(client, tenant, "alice")
    response = alice.put("/api/v1/auth/change-password", {"currentPassword": "Nope-Passw0rd!", "newPassword": "N3w-Passw0rd!"})
    # a code of its own, so the web app does not mistake it for an ended session
    assert (response.status_code, response.json_body["code"]) == (401, "invalid_password")
    assert alice.get("/api/v1/auth/profile").status_code == 200
    assert login(client, tenant, "alice").status_code == 200


def test_profile_can_be_read_and_changed_when_signed_in(client, tenant):
    alice = sign_in(client, tenant, "alice")
    changed = alice.put("/api/v1/auth/profile", {"first_name": "Alice", "email": "alice2@example.com"})
    assert changed.status_code == 200
    profile = alice.get("/api/v1/auth/profile").json_body["user"]
    assert profile["first_name"] == "Alice" and profile["email"] == "alice2@example.com"
    assert "password_hash" not in json.dumps(profile)
    assert login(client, tenant, "alice2@example.com").status_code == 200


def test_signup_is_refused_when_disabled_and_uses_the_default_role_when_enabled(client, tenant, admin):
    body = {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD}
    refused = _post(client, tenant, "/api/v1/auth/signup", body)
    assert refused.status_code == 403 and refused.json_body["error"] == "User signup is disabled"
    settings = admin.get("/api/v1/settings/security").json_body
    assert admin.put("/api/v1/settings/security", {**settings, "signup_enabled": True, "default_user_role": "readonly"}).status_code == 200
    assert client.http.get("/api/v1/auth/signup-enabled", headers={"Host": "localhost"}).json_body == {"signupEnabled": True}
    created = _post(client, tenant, "/api/v1/auth/signup", body)
    assert created.status_code == 201 and created.json_body["user"]["role"] == "readonly"


def test_me_context_lists_role_permissions_plan_and_modules_when_signed_in(client, tenant):
    alice = sign_in(client, tenant, "alice", role="readonly")
    context = alice.get("/api/v1/me/context").json_body
    assert context["role"] == "readonly"
    assert context["permissions"] == sorted(["can_view_dashboard", "can_view_hosts", "can_view_packages", "can_view_reports",
                                             "can_view_notification_logs"])
    assert context["tenant"]["slug"] == "default" and context["plan"] == "max"
    assert "rbac_custom" in context["modules"]


def test_auth_rate_limit_answers_429_when_exceeded(client, tenant, admin):
    settings = admin.get("/api/v1/settings/security").json_body
    admin.put("/api/v1/settings/security", {**settings, "auth_rate_limit": 5})
    statuses = [login(client, tenant, "nobody", "Wrong-Passw0rd!").status_code for _ in range(6)]
    assert statuses[-1] == 429
    last = login(client, tenant, "nobody", "Wrong-Passw0rd!")
    assert last.json_body["error"] == "Too many requests. Try again later."
    assert int(last.headers["Retry-After"]) > 0


def test_other_tenant_host_rejects_a_token_when_it_was_issued_elsewhere(client, tenant):
    other = make_tenant("acme")
    alice = sign_in(client, tenant, "alice")
    response = client.http.get("/api/v1/auth/profile", headers={"Host": host_of(other), "Authorization": f"Bearer {alice.token}"})
    assert response.status_code == 401
    assert login(client, other, "alice").status_code == 401  # the account does not exist there
