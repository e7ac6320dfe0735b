"""The settings page's server URL: built from its parts, shown as parts, derived from the request when unset."""
from __future__ import annotations

import pytest

from chalicelib.core import errors
from chalicelib.settings import service
from chalicelib.settings.schemas import SettingsUpdate
from chalicelib.tenant.schemas import SecuritySettings, Tenant


def _tenant(server_url: str | None = None) -> Tenant:
    return Tenant(tenant_id="t1", slug="acme", name="Acme", plan="max", host_limit=10, settings=SecuritySettings(server_url=server_url),
                  created_at="2026-01-01T00:00:00.000Z", updated_at="2026-01-01T00:00:00.000Z")


@pytest.mark.parametrize(("current", "given", "expected"), [
    (None, {"server_host": "patchmon.example.com"}, "https://patchmon.example.com"),
    (None, {"server_protocol": "http", "server_host": "pm.local", "server_port": 3000}, "http://pm.local:3000"),
    (None, {"server_protocol": "https", "server_host": "pm.example.com", "server_port": 443}, "https://pm.example.com"),
    ("https://pm.example.com:8443", {"server_protocol": "http"}, "http://pm.example.com:8443"),
    ("https://pm.example.com:8443", {"server_port": 443}, "https://pm.example.com"),
    ("http://old.example.com", {"server_host": "new.example.com"}, "http://new.example.com"),
])
def test_url_is_built_from_given_parts_and_current_url_when_parts_are_sent(current, given, expected):
    assert service._compose_url(current, SettingsUpdate.model_validate(given)) == expected


def test_url_parts_need_a_host_when_no_url_is_set():
    with pytest.raises(errors.InvalidInput, match="server_host"):
        service._compose_url(None, SettingsUpdate.model_validate({"server_port": 8080}))


def test_view_splits_the_url_into_protocol_host_and_port_when_set():
    view = service.view(SecuritySettings(server_url="https://pm.example.com"))
    assert (view["server_url"], view["server_protocol"], view["server_host"], view["server_port"]) == (
        "https://pm.example.com", "https", "pm.example.com", 443)
    assert service.view(SecuritySettings())["server_port"] is None


def test_server_url_is_the_configured_one_when_set():
    assert service.server_url(_tenant("https://pm.example.com"), headers={"host": "acme.localhost:8000"}) == "https://pm.example.com"


@pytest.mark.parametrize(("headers", "expected"), [
    ({"host": "acme.localhost:8000"}, "http://acme.localhost:8000"),
    ({"host": "Acme.Example.com", "x-forwarded-proto": "https"}, "https://acme.example.com"),
    ({"host": "acme.example.com", "x-forwarded-proto": "https, http"}, "https://acme.example.com"),
    ({"host": "acme.example.com", "x-forwarded-proto": "gopher"}, "http://acme.example.com"),
])
def test_server_url_is_the_request_origin_when_none_is_configured(headers, expected):
    assert service.server_url(_tenant(), headers=headers) == expected


@pytest.mark.parametrize("host", ["", "acme.localhost/evil", "acme.localhost:80:80", "a b"])
def test_server_url_is_refused_when_the_host_header_is_not_a_host(host):
    with pytest.raises(errors.InvalidInput):
        service.server_url(_tenant(), headers={"host": host})


def test_settings_update_payload_has_the_documented_fields_when_built():
    payload = service.agent_payload(SecuritySettings(agent_update_interval_minutes=15))
    assert payload == {"update_interval": 15, "compliance_scan_interval": 1440, "package_cache_refresh_mode": "always",
                       "package_cache_refresh_max_age": 60}


def test_update_accepts_the_reference_camel_case_names_when_sent():
    data = SettingsUpdate.model_validate({"updateInterval": 30, "autoUpdate": False, "agentReportsRetentionDays": 14})
    assert (data.update_interval, data.auto_update, data.agent_reports_retention_days) == (30, False, 14)


@pytest.mark.parametrize("body", [{"update_interval": 4}, {"update_interval": 1441}, {"update_interval": "60"}, {"auto_update": 1},
                                  {"agent_reports_retention_days": 6}, {"agent_reports_retention_days": 366}, {"server_port": 70000},
                                  {"server_protocol": "ftp"}, {"server_host": "bad host"}, {"unknown": 1}])
def test_update_is_refused_when_a_value_is_out_of_range_or_unknown(body):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SettingsUpdate.model_validate(body)
