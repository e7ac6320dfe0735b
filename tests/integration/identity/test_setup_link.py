"""Operator-created organisations are set up only through their setup link, never by whoever opens them first."""
from __future__ import annotations

import json

import pytest

from chalicelib.tenant import service as tenant_service
from tests.factories.identity import PASSWORD, make_tenant, make_user
from tests.factories.identity import operator_call as _op

ADMIN = {"username": "first", "email": "first@acme.example", "password": PASSWORD}


def _create(client, operator, slug: str = "acme") -> dict:
    response = _op(client, operator, "post", "/tenants", {"slug": slug, "name": slug.title(), "plan": "plus"})
    assert response.status_code == 201
    return response.json_body


def _status(client, slug: str) -> dict:
    return client.http.get("/api/v1/auth/setup-status", headers={"Host": f"{slug}.localhost"}).json_body


def _setup(client, slug: str, token: str | None = None, **extra):
    body = {**ADMIN, **({"setupToken": token} if token is not None else {}), **extra}
    return client.http.post("/api/v1/auth/setup-admin", headers={"Host": f"{slug}.localhost", "Content-Type": "application/json"},
                            body=json.dumps(body))


def test_operator_created_tenant_is_set_up_only_with_its_link_when_the_admin_arrives(client, operator):
    created = _create(client, operator)
    token = created["setup_link"]["setup_token"]
    assert len(token) >= 40 and created["setup_link"]["expires_at"] > created["created_at"]
    assert _status(client, "acme") == {"needs_setup": True, "setup_link_required": True}

    for refused in (_setup(client, "acme"), _setup(client, "acme", "not-the-token"), _setup(client, "acme", "")):
        assert refused.status_code == 403
        assert refused.json_body["error"] == tenant_service.SETUP_LINK_REQUIRED
    assert _status(client, "acme")["needs_setup"] is True  # nothing was written

    done = _setup(client, "acme", token)
    assert done.status_code == 201 and done.json_body["user"]["role"] == "superadmin"
    assert _status(client, "acme") == {"needs_setup": False, "setup_link_required": False}
    stored = tenant_service.get(created["tenant_id"])
    assert stored.setup_link_sha256 is None and stored.setup_link_expires_at is None  # the used link is forgotten
    assert token not in json.dumps(stored.model_dump())
    assert _setup(client, "acme", token).status_code == 409


def test_the_link_is_stored_only_as_a_hash_and_never_listed_when_created(client, operator):
    created = _create(client, operator)
    token = created["setup_link"]["setup_token"]
    assert token not in json.dumps(tenant_service.get(created["tenant_id"]).model_dump())
    listed = _op(client, operator, "get", "/tenants").json_body["tenants"][0]
    fetched = _op(client, operator, "get", f"/tenants/{created['tenant_id']}").json_body
    for shown in (listed, fetched):
        assert "setup_link" not in shown and not any(key.startswith("setup_link") for key in shown)


def test_an_expired_link_is_refused_and_a_new_one_replaces_it_when_reissued(client, operator, clock_at):
    created = _create(client, operator)
    old = created["setup_link"]["setup_token"]
    clock_at.advance(days=tenant_service.SETUP_LINK_DAYS, seconds=1)

    expired = _setup(client, "acme", old)
    assert expired.status_code == 403 and expired.json_body["error"] == tenant_service.SETUP_LINK_EXPIRED

    reissued = _op(client, operator, "post", f"/tenants/{created['tenant_id']}/setup-link")
    assert reissued.status_code == 201
    new = reissued.json_body["setup_token"]
    assert new != old and reissued.json_body["expires_at"] > created["setup_link"]["expires_at"]
    assert _setup(client, "acme", old).json_body["error"] == tenant_service.SETUP_LINK_REQUIRED  # the old link stopped working
    assert _setup(client, "acme", new).status_code == 201


def test_a_new_link_is_refused_once_set_up_or_for_an_unknown_tenant_when_asked(client, operator):
    created = _create(client, operator)
    assert _setup(client, "acme", created["setup_link"]["setup_token"]).status_code == 201

    again = _op(client, operator, "post", f"/tenants/{created['tenant_id']}/setup-link")
    assert again.status_code == 409 and again.json_body["error"] == "Setup has already been completed"
    unknown = _op(client, operator, "post", "/tenants/nosuchtenant/setup-link")
    assert unknown.status_code == 404 and "error" in unknown.json_body


def test_one_tenants_link_does_not_set_up_another_when_used_there(client, operator):
    acme, globex = _create(client, operator, "acme"), _create(client, operator, "globex")

    crossed = _setup(client, "globex", acme["setup_link"]["setup_token"])

    assert crossed.status_code == 403
    assert _status(client, "globex")["needs_setup"] is True and _status(client, "acme")["needs_setup"] is True
    assert _setup(client, "globex", globex["setup_link"]["setup_token"]).status_code == 201


@pytest.mark.parametrize("token", [123, ["x"], {"a": 1}, "x" * 129])
def test_a_malformed_setup_token_is_refused_with_400_when_sent(client, operator, token):
    _create(client, operator)
    response = _setup(client, "acme", token)
    assert response.status_code == 400 and "error" in response.json_body
    assert _status(client, "acme")["needs_setup"] is True


def test_a_tenant_created_without_the_operator_needs_no_link_and_signup_takes_no_token_when_used(client, aws):
    tenant = make_tenant("default")  # the local stack's default tenant and self-service sign-ups
    assert client.http.get("/api/v1/auth/setup-status", headers={"Host": "localhost"}).json_body["setup_link_required"] is False
    make_user(tenant, "someone")
    signup = client.http.post("/api/v1/auth/signup", headers={"Host": "localhost", "Content-Type": "application/json"},
                              body=json.dumps({"username": "second", "email": "s@example.com", "password": PASSWORD, "setupToken": "x"}))
    assert signup.status_code == 400
