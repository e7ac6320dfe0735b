"""The users page shows each user's 2FA state, read from the TFA records (one batch read for the list)."""
from __future__ import annotations

from chalicelib.core import clock
from chalicelib.core.db import main_table
from chalicelib.tfa import totp
from tests.factories.identity import sign_in


def _enable_tfa(session) -> None:
    """Set 2FA up the way the profile page does."""
    secret = session.get("/api/v1/tfa/setup").json_body["secret"]
    response = session.post("/api/v1/tfa/verify-setup", {"token": totp.code_for(secret, totp.step_at(clock.now()))})
    assert response.status_code == 200, response.body


def _by_name(admin) -> dict[str, bool]:
    response = admin.get("/api/v1/auth/admin/users")
    assert response.status_code == 200, response.body
    return {u["username"]: u["tfa_enabled"] for u in response.json_body["users"]}


def test_user_who_enabled_tfa_shows_it_in_the_list_and_on_their_page(client, tenant, admin):
    # Given alice enabled 2FA, bob started the setup but never finished it, carol never began
    alice, bob = sign_in(client, tenant, "alice"), sign_in(client, tenant, "bob")
    sign_in(client, tenant, "carol")
    _enable_tfa(alice)
    bob.get("/api/v1/tfa/setup")
    # When / Then
    assert _by_name(admin) == {"alice": True, "bob": False, "carol": False, "root": False}
    assert admin.get(f"/api/v1/auth/admin/users/{alice.user_id}").json_body["tfa_enabled"] is True
    assert admin.get(f"/api/v1/auth/admin/users/{bob.user_id}").json_body["tfa_enabled"] is False


def test_editing_a_user_with_tfa_answers_with_tfa_still_on(client, tenant, admin):
    alice = sign_in(client, tenant, "alice")
    _enable_tfa(alice)
    response = admin.put(f"/api/v1/auth/admin/users/{alice.user_id}", {"first_name": "Alice"})
    assert response.status_code == 200 and response.json_body["tfa_enabled"] is True


def test_user_who_disabled_tfa_shows_it_off_in_the_list(client, tenant, admin):
    alice = sign_in(client, tenant, "alice")
    _enable_tfa(alice)
    assert alice.post("/api/v1/tfa/disable", {"password": "Corr3ct-Horse!"}).status_code == 200
    assert _by_name(admin)["alice"] is False


def test_user_list_reads_the_tfa_records_in_one_batch_when_listed(client, tenant, admin):
    # Given
    for name in ("alice", "bob", "carol", "dave"):
        _enable_tfa(sign_in(client, tenant, name))
    calls: list[tuple[str, str]] = []
    events = main_table().meta.client.meta.events

    def record(model, params, **_):
        calls.append((model.name, str(params.get("body"))))

    # When
    events.register("before-call.dynamodb.*", record)
    try:
        listed = _by_name(admin)
    finally:
        events.unregister("before-call.dynamodb.*", record)
    # Then
    assert listed == {"alice": True, "bob": True, "carol": True, "dave": True, "root": False}
    assert [name for name, body in calls if "TFA#" in body] == ["BatchGetItem"]
