"""Per-user dashboard preferences over the API: defaults, round trip, validation, and whose layout is whose."""
from __future__ import annotations

import pytest

from tests.factories.identity import cookie_value, login, make_tenant, set_cookies, sign_in

PATH = "/api/v1/dashboard/preferences"
LAYOUT = [{"id": "security_updates", "visible": True}, {"id": "total_hosts", "visible": False},
          {"id": "os_distribution", "visible": True}]


@pytest.fixture
def alice(client, aws):
    return sign_in(client, make_tenant(), "alice", role="readonly")


def test_preferences_are_the_default_layout_when_nothing_was_saved(alice):
    response = alice.get(PATH)
    assert response.status_code == 200
    assert response.json_body == {"cards": [], "updated_at": None}


def test_layout_round_trips_in_order_when_saved(alice):
    # When
    put = alice.put(PATH, {"cards": LAYOUT})
    # Then
    assert put.status_code == 200
    assert put.json_body["cards"] == LAYOUT and put.json_body["updated_at"].endswith("Z")
    assert alice.get(PATH).json_body == put.json_body


def test_a_new_layout_replaces_the_old_one_when_saved_again(alice):
    alice.put(PATH, {"cards": LAYOUT})
    alice.put(PATH, {"cards": LAYOUT[::-1][:2]})
    assert alice.get(PATH).json_body["cards"] == LAYOUT[::-1][:2]


def test_an_empty_list_goes_back_to_the_default_layout_when_saved(alice):
    alice.put(PATH, {"cards": LAYOUT})
    assert alice.put(PATH, {"cards": []}).status_code == 200
    assert alice.get(PATH).json_body["cards"] == []


@pytest.mark.parametrize("body", [
    {},
    {"cards": [{"id": "total_hosts", "visible": True}, {"id": "total_hosts", "visible": False}]},
    {"cards": [{"id": "Total Hosts", "visible": True}]},
    {"cards": [{"id": "total_hosts", "visible": "yes"}]},
    {"cards": [{"id": "total_hosts"}]},
    {"cards": [{"id": "total_hosts", "visible": True, "colour": "red"}]},
    {"cards": [{"id": f"card_{i}", "visible": True} for i in range(51)]},
    {"cards": LAYOUT, "theme": "dark"},
], ids=["missing", "duplicate", "bad-id", "not-bool", "no-visible", "unknown-field", "too-many", "unknown-top-field"])
def test_layout_is_refused_and_nothing_written_when_invalid(alice, body):
    # Given a saved layout
    alice.put(PATH, {"cards": LAYOUT})
    # When
    response = alice.put(PATH, body)
    # Then
    assert response.status_code == 400
    assert response.json_body["code"] == "invalid_input"
    assert alice.get(PATH).json_body["cards"] == LAYOUT


def test_each_user_sees_only_their_own_layout_when_two_users_save(client, alice):
    # Given another user of the same organisation
    bob = sign_in(client, alice.tenant, "bob", role="admin")
    # When
    alice.put(PATH, {"cards": LAYOUT})
    # Then
    assert bob.get(PATH).json_body["cards"] == []
    bob.put(PATH, {"cards": [{"id": "offline_hosts", "visible": True}]})
    assert alice.get(PATH).json_body["cards"] == LAYOUT


def test_another_organisations_user_sees_the_default_layout_when_only_the_first_saved(client, alice):
    other = sign_in(client, make_tenant("bravo"), "alice", role="superadmin")
    alice.put(PATH, {"cards": LAYOUT})
    assert other.get(PATH).json_body == {"cards": [], "updated_at": None}


def test_cookie_authenticated_save_is_refused_when_the_csrf_header_is_missing(client, alice):
    # Given a browser session (cookies, no bearer token)
    jar = {name: cookie_value(value) for name, value in set_cookies(login(client, alice.tenant, "alice")).items()}
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    body = b'{"cards": [{"id": "total_hosts", "visible": false}]}'
    base = {"Host": "localhost", "Content-Type": "application/json", "Cookie": cookie}
    # When / Then
    assert client.http.put(PATH, headers=base, body=body).status_code == 403
    assert client.http.put(PATH, headers={**base, "X-CSRF-Token": jar["csrf_token"]}, body=body).status_code == 200


def test_a_deleted_users_layout_is_removed_with_the_user(client, alice):
    # Given a user with a saved layout
    bob = sign_in(client, alice.tenant, "bob", role="readonly")
    bob.put(PATH, {"cards": LAYOUT})
    admin = sign_in(client, alice.tenant, "carol", role="admin")
    # When
    assert admin.delete(f"/api/v1/auth/admin/users/{bob.user_id}").status_code == 200
    # Then
    from chalicelib.preferences import store
    assert store.get_dashboard(alice.tenant.tenant_id, bob.user_id) is None
