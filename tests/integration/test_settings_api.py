"""Settings → Agent Updates and Server URL over the API: round trip, partial updates, validation, audit, server URL."""
from __future__ import annotations

import json

import pytest

from chalicelib.tenant import service as tenant_service
from tests.factories.identity import make_tenant, sign_in

DEFAULTS = {"update_interval": 60, "auto_update": True, "signup_enabled": False, "server_url": None, "server_protocol": None,
            "server_host": None, "server_port": None, "agent_reports_retention_days": 30, "timezone": "UTC"}


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _stored(admin) -> dict:
    return tenant_service.get(admin.tenant.tenant_id).model_dump()


def _audit(admin) -> list[dict]:
    return admin.get("/api/v1/audit-log?action=settings_updated").json_body["events"]


def test_settings_show_the_documented_defaults_when_nothing_was_changed(admin):
    response = admin.get("/api/v1/settings")
    assert response.status_code == 200
    assert response.json_body == DEFAULTS


def test_settings_round_trip_when_every_field_is_put(admin):
    # Given
    body = {"update_interval": 15, "auto_update": False, "signup_enabled": True, "server_url": "https://pm.example.com:8443",
            "agent_reports_retention_days": 90, "timezone": "Europe/London"}
    # When
    put = admin.put("/api/v1/settings", body)
    # Then
    expected = {**body, "server_protocol": "https", "server_host": "pm.example.com", "server_port": 8443}
    assert put.status_code == 200 and put.json_body == expected
    assert admin.get("/api/v1/settings").json_body == expected
    stored = _stored(admin)["settings"]
    assert (stored["agent_update_interval_minutes"], stored["agent_auto_update"], stored["agent_report_retention_days"]) == (15, False, 90)


def test_fields_left_out_keep_their_values_when_patched(admin):
    admin.put("/api/v1/settings", {"update_interval": 30, "server_url": "https://pm.example.com"})
    response = admin.patch("/api/v1/settings", {"auto_update": False})
    assert response.status_code == 200
    assert response.json_body == {**DEFAULTS, "update_interval": 30, "auto_update": False, "server_url": "https://pm.example.com",
                                  "server_protocol": "https", "server_host": "pm.example.com", "server_port": 443}


def test_other_tenant_settings_are_kept_when_agent_settings_change(admin):
    # Given a non-default security setting
    security = admin.get("/api/v1/settings/security").json_body
    admin.put("/api/v1/settings/security", {**security, "max_login_attempts": 9})
    # When
    admin.put("/api/v1/settings", {"update_interval": 20})
    # Then
    assert admin.get("/api/v1/settings/security").json_body["max_login_attempts"] == 9


def test_server_url_is_built_from_protocol_host_and_port_when_they_are_sent(admin):
    response = admin.put("/api/v1/settings", {"server_protocol": "http", "server_host": "patchmon.lan", "server_port": 3000})
    assert response.json_body["server_url"] == "http://patchmon.lan:3000"
    response = admin.patch("/api/v1/settings", {"server_protocol": "https", "server_port": 443})
    assert response.json_body["server_url"] == "https://patchmon.lan"


def test_server_url_is_cleared_when_null_is_sent(admin):
    admin.put("/api/v1/settings", {"server_url": "https://pm.example.com/"})
    assert admin.get("/api/v1/settings").json_body["server_url"] == "https://pm.example.com"
    assert admin.put("/api/v1/settings", {"server_url": None}).json_body["server_url"] is None


@pytest.mark.parametrize("body", [
    {"update_interval": 4}, {"update_interval": 1441}, {"agent_reports_retention_days": 6}, {"agent_reports_retention_days": 366},
    {"update_interval": None}, {"auto_update": "yes"}, {"server_url": "ftp://pm.example.com"}, {"server_url": "https://pm.example.com:0"},
    {"server_url": "https://pm.example.com/path"}, {"server_port": 8080}, {"colour": "blue"}, {"update_interval": 15, "server_port": 0},
])
def test_invalid_settings_are_refused_and_nothing_is_written_when_put(admin, aws, body):
    # Given
    before = _stored(admin)
    # When
    response = admin.put("/api/v1/settings", body)
    # Then
    assert response.status_code == 400
    assert response.json_body["error"] and response.json_body["code"] == "invalid_input"
    assert _stored(admin) == before
    assert _audit(admin) == []
    assert aws.queue_depth("agent-commands") == 0


def test_malformed_json_is_refused_when_patched(admin):
    response = admin.client.http.patch("/api/v1/settings", headers=admin.headers(), body=b"{not json")
    assert response.status_code == 400


def test_a_change_is_audited_with_its_new_values_when_saved(admin):
    admin.put("/api/v1/settings", {"update_interval": 45, "auto_update": True})
    events = _audit(admin)
    assert len(events) == 1
    assert events[0]["actor_user_id"] == admin.user_id and events[0]["target_id"] == "agent"
    assert events[0]["details"] == {"changed": {"update_interval": 45}}


def test_nothing_is_written_or_audited_when_nothing_changes(admin):
    before = _stored(admin)
    response = admin.put("/api/v1/settings", {"update_interval": 60, "auto_update": True})
    assert response.status_code == 200
    assert _stored(admin) == before and _audit(admin) == []


def test_settings_need_the_settings_permission_when_read_or_changed(admin):
    user = sign_in(admin.client, admin.tenant, "viewer", role="readonly")
    assert user.get("/api/v1/settings").status_code == 403
    assert user.put("/api/v1/settings", {"update_interval": 15}).status_code == 403
    assert _stored(admin)["settings"]["agent_update_interval_minutes"] == 60


def test_server_url_route_answers_the_request_origin_when_none_is_configured(admin):
    response = admin.client.http.get("/api/v1/settings/server-url", headers={"Host": "localhost:8000", "X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response.json_body == {"server_url": "https://localhost:8000"}


def test_server_url_route_answers_the_configured_url_without_signing_in_when_set(admin):
    admin.put("/api/v1/settings", {"server_url": "https://pm.example.com"})
    tenant_service.clear_cache()  # the public route reads the tenant through the per-instance cache
    response = admin.client.http.get("/api/v1/settings/server-url", headers={"Host": "localhost"})
    assert json.loads(response.body) == {"server_url": "https://pm.example.com"}


def test_server_url_route_is_not_found_when_the_host_names_no_tenant(admin):
    response = admin.client.http.get("/api/v1/settings/server-url", headers={"Host": "nobody.localhost"})
    assert response.status_code == 404
