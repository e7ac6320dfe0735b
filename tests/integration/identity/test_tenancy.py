"""Tenants: resolution by host, the operator API, plans and modules, suspension."""
from __future__ import annotations

import json

import pytest

from tests.factories.identity import PASSWORD, host_of, login, make_tenant, make_user, sign_in
from tests.factories.identity import operator_call as _op


def test_operator_creates_lists_and_updates_tenants_when_key_is_right(client, operator):
    created = _op(client, operator, "post", "/tenants", {"slug": "acme", "name": "Acme Ltd", "plan": "plus"})
    assert created.status_code == 201
    tenant = created.json_body
    assert tenant["modules"] == sorted(["patching", "docker", "compliance", "patching_policies", "rbac_custom", "custom_branding",
                                        "alerts_advanced"])
    assert tenant["host_limit"] == 500
    assert [t["slug"] for t in _op(client, operator, "get", "/tenants").json_body["tenants"]] == ["acme"]
    changed = _op(client, operator, "patch", f"/tenants/{tenant['tenant_id']}", {"plan": "custom", "custom_modules": ["patching"],
                                                                                  "host_limit": 3})
    assert changed.json_body["modules"] == ["patching"] and changed.json_body["host_limit"] == 3


@pytest.mark.parametrize("headers", [{}, {"X-Operator-Key": "wrong"}])
def test_operator_api_refuses_when_key_is_missing_or_wrong(client, operator, headers):
    response = client.http.get("/api/v1/operator/tenants", headers=headers)
    assert response.status_code == 401


def test_operator_api_refuses_a_tenant_admins_token(client, operator, tenant):
    admin = sign_in(client, tenant, "root", role="superadmin")
    assert client.http.get("/api/v1/operator/tenants", headers=admin.headers()).status_code == 401


@pytest.mark.parametrize("slug", ["UPPER", "-lead", "trail-", "www", "api", "a" * 40, "has space", "dot.ted"])
def test_operator_cannot_create_a_tenant_when_slug_is_invalid_or_reserved(client, operator, slug):
    response = _op(client, operator, "post", "/tenants", {"slug": slug, "name": "X"})
    assert response.status_code == 400


def test_duplicate_slug_conflicts_when_creating(client, operator):
    _op(client, operator, "post", "/tenants", {"slug": "acme", "name": "A"})
    assert _op(client, operator, "post", "/tenants", {"slug": "acme", "name": "B"}).status_code == 409


def test_unknown_module_is_refused_when_setting_a_custom_plan(client, operator):
    response = _op(client, operator, "post", "/tenants", {"slug": "acme", "name": "A", "plan": "custom", "custom_modules": ["warp_drive"]})
    assert response.status_code == 400


def test_each_host_reaches_its_own_tenant_when_resolved(client, aws):
    default, acme = make_tenant("default"), make_tenant("acme")
    make_user(default, "alice")
    assert login(client, default, "alice").status_code == 200
    assert login(client, acme, "alice").status_code == 401
    unknown = client.http.get("/api/v1/auth/setup-status", headers={"Host": "nosuch.localhost"})
    assert unknown.status_code == 404 and unknown.json_body["code"] == "tenant_not_found"
    nested = client.http.get("/api/v1/auth/setup-status", headers={"Host": "a.acme.localhost"})
    assert nested.status_code == 404


def test_suspended_tenant_answers_403_to_everything_when_suspended(client, operator):
    tenant = make_tenant("acme")
    alice = sign_in(client, tenant, "alice", role="admin")
    _op(client, operator, "patch", f"/tenants/{tenant.tenant_id}", {"status": "suspended"})
    from chalicelib.tenant import service as tenant_service

    tenant_service.clear_cache()  # other Lambda instances see it within the cache's 30 s
    for response in (alice.get("/api/v1/auth/profile"), login(client, tenant, "alice"),
                     client.http.get("/api/v1/auth/setup-status", headers={"Host": host_of(tenant)})):
        assert response.status_code == 403
        assert response.json_body["code"] == "tenant_suspended"
    _op(client, operator, "patch", f"/tenants/{tenant.tenant_id}", {"status": "active"})
    tenant_service.clear_cache()
    assert login(client, tenant, "alice", PASSWORD).status_code == 200


def test_operator_gets_404_for_an_unknown_tenant(client, operator):
    assert _op(client, operator, "get", "/tenants/00000000-0000-0000-0000-000000000000").status_code == 404
    assert _op(client, operator, "get", "/tenants?cursor=garbage").status_code == 400


def _signup(client, **overrides):
    body = {"slug": "newco", "name": "NewCo", "username": "founder", "email": "founder@newco.example", "password": PASSWORD, **overrides}
    return client.http.post("/api/v1/signup/organisation", headers={"Content-Type": "application/json"}, body=json.dumps(body))


def test_organisation_signup_is_refused_when_the_switch_is_off(client, aws):
    response = _signup(client)
    assert response.status_code == 403
    assert response.json_body["error"] == "Organisation sign-up is disabled"


@pytest.fixture
def signup_on(monkeypatch, aws):
    from chalicelib.core import settings

    monkeypatch.setenv("TENANT_SIGNUP_ENABLED", "true")
    settings.reset_settings_cache()


def test_organisation_signup_creates_a_free_tenant_and_its_superadmin_when_open(client, signup_on):
    response = _signup(client)
    assert response.status_code == 201
    assert response.json_body["tenant"]["plan"] == "free" and response.json_body["user"]["role"] == "superadmin"
    newco = make_tenant("newco")
    assert login(client, newco, "founder").status_code == 200


def test_organisation_signup_writes_nothing_when_the_password_is_weak(client, signup_on):
    response = _signup(client, password="weak")
    assert response.status_code == 400
    from chalicelib.tenant import service as tenant_service

    assert tenant_service.find_by_slug("newco", fresh=True) is None


def test_organisation_signup_conflicts_when_the_slug_is_taken(client, signup_on):
    make_tenant("newco")
    assert _signup(client).status_code == 409


def test_organisation_signup_is_rate_limited_per_client(client, signup_on):
    statuses = [_signup(client, slug=f"co{i}", email=f"f{i}@x.example").status_code for i in range(6)]
    assert statuses[:5] == [201] * 5 and statuses[5] == 429
