"""Builders for tenants, users and signed-in clients; every builder needs its tenant."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import Tenant, TenantCreate
from chalicelib.user import passwords
from chalicelib.user import store as user_store

PASSWORD = "Corr3ct-Horse!"


def make_tenant(slug: str = "default", *, plan: str = "max", name: str | None = None) -> Tenant:
    existing = tenant_service.find_by_slug(slug, fresh=True)
    return existing or tenant_service.create(TenantCreate(slug=slug, name=name or slug.title(), plan=plan))


def host_of(tenant: Tenant) -> str:
    return "localhost" if tenant.slug == "default" else f"{tenant.slug}.localhost"


def make_user(tenant: Tenant, username: str, *, role: str = "user", password: str = PASSWORD, active: bool = True,
              email: str | None = None) -> dict[str, Any]:
    """Store a user directly (bypassing the API's rules), for arranging a test."""
    from chalicelib.user.service import _new_user

    user = _new_user(username=username, email=email or f"{username}@example.com", password_hash=passwords.hash_password(password),
                     role=role, first_name=None, last_name=None)
    user["is_active"] = active
    user_store.put_new(tenant.tenant_id, user)
    return user


@dataclass
class Session:
    """A signed-in user of a tenant, speaking to the app through the Chalice test client."""

    client: Any
    tenant: Tenant
    token: str
    refresh_token: str
    user_id: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Host": host_of(self.tenant), "Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **extra}

    def get(self, path: str, **headers: str):
        return self.client.http.get(path, headers=self.headers(**headers))

    def post(self, path: str, body: Any = None, **headers: str):
        import json

        return self.client.http.post(path, headers=self.headers(**headers), body=json.dumps(body) if body is not None else b"")

    def put(self, path: str, body: Any = None, **headers: str):
        import json

        return self.client.http.put(path, headers=self.headers(**headers), body=json.dumps(body) if body is not None else b"")

    def patch(self, path: str, body: Any = None, **headers: str):
        import json

        return self.client.http.patch(path, headers=self.headers(**headers), body=json.dumps(body) if body is not None else b"")

    def delete(self, path: str, **headers: str):
        return self.client.http.delete(path, headers=self.headers(**headers))


def login(client: Any, tenant: Tenant, username: str, password: str = PASSWORD, **extra: Any):
    import json

    return client.http.post("/api/v1/auth/login", headers={"Host": host_of(tenant), "Content-Type": "application/json"},
                            body=json.dumps({"username": username, "password": password, **extra}))


def sign_in(client: Any, tenant: Tenant, username: str, *, role: str = "user", password: str = PASSWORD) -> Session:
    """Create a user with `role` and sign them in."""
    user = make_user(tenant, username, role=role, password=password)
    response = login(client, tenant, username, password)
    assert response.status_code == 200, response.body
    return Session(client, tenant, response.json_body["token"], response.json_body["refresh_token"], user["user_id"])


def set_cookies(response: Any) -> dict[str, str]:
    """Return the cookies a response sets, by name, as their whole Set-Cookie values."""
    raw = response.headers.get("Set-Cookie") or []
    values = raw if isinstance(raw, list) else [raw]
    return {value.split("=", 1)[0]: value for value in values}


def cookie_value(set_cookie: str) -> str:
    return set_cookie.split("=", 1)[1].split(";", 1)[0]


OPERATOR_KEY = "operator-test-key-0123456789"


def operator_call(client: Any, headers: dict[str, str], method: str, path: str, body: Any = None):
    """Call the operator API (`/api/v1/operator<path>`) with the operator fixture's headers."""
    import json

    return getattr(client.http, method)(f"/api/v1/operator{path}", headers=headers, body=json.dumps(body) if body is not None else b"")
