"""Tenant isolation and permission enforcement, checked over every route of the app.

Reusable by every later issue: a new route with a new path parameter must add a way to name one of
tenant A's objects in `A_IDS`, or the suite fails. Tenant B's signed-in superadmin then:
- presents B's token at A's host: refused (401) everywhere;
- names A's objects at B's host: nothing is found (404) or the request is refused before it is read
  (400); lists never contain A's objects; and A's data is unchanged afterwards.
"""
from __future__ import annotations

import json
import re

import pytest

from app import app
from chalicelib.core import keys
from chalicelib.rbac.permissions import ALL
from tests.factories.fleet import REPOS, enrol, full_report, package
from tests.factories.identity import host_of, make_tenant, make_user, sign_in

ROUTES = sorted((method, path, entry.view_function.openapi) for path, methods in app.routes.items() for method, entry in methods.items())
# Upserts name the object to create: B "naming" A's role name creates B's own role, which is correct.
UPSERTS = {("PUT", "/api/v1/permissions/roles/{role}")}
TENANT_ROUTES = [(m, p, op) for m, p, op in ROUTES if op.access in ("authenticated", "permission")]
PERMISSION_ROUTES = [(m, p, op) for m, p, op in ROUTES if op.access == "permission"]


@pytest.fixture
def world(client, aws):
    """Tenants A and B, each with a superadmin, a user, a custom role and sessions."""
    alpha, bravo = make_tenant("alpha"), make_tenant("bravo")
    a_admin = sign_in(client, alpha, "alpha_root", role="superadmin")
    b_admin = sign_in(client, bravo, "bravo_root", role="superadmin")
    a_user = make_user(alpha, "alpha_carol", email="carol@alpha.example")
    a_admin.put("/api/v1/permissions/roles/alpha_only_role", {"preset": "readonly"})
    a_admin.put("/api/v1/dashboard/preferences", {"cards": [{"id": "alpha_only_card", "visible": False}]})
    a_session = a_admin.get("/api/v1/auth/sessions").json_body["sessions"][0]["id"]
    a_group = a_admin.post("/api/v1/host-groups", {"name": "alpha-group"}).json_body["id"]
    a_agent = enrol(a_admin, "alpha-host", hostGroupIds=[a_group])
    report = {**full_report([package("alpha-secret-pkg", "1.0", available="2.0")], hostname="alpha-hostname"),
              "repositories": [{**REPOS[0], "name": "alpha-secret-repo", "url": "http://alpha-mirror.example/ubuntu"}]}
    a_agent.post("/hosts/update", report)
    a_repo = a_admin.get("/api/v1/repositories").json_body["repositories"][0]["repo_id"]
    a_policy = a_admin.post("/api/v1/patching/policies", {"name": "alpha-secret-policy", "patch_delay_type": "immediate"}).json_body["id"]
    a_assignment = a_admin.post(f"/api/v1/patching/policies/{a_policy}/assignments",
                                {"target_type": "host_group", "target_id": a_group}).json_body["id"]
    assert a_admin.post(f"/api/v1/patching/policies/{a_policy}/exclusions", {"host_id": a_agent.host_id}).status_code == 201
    a_hold = a_admin.post("/api/v1/patching/holds", {"target_type": "host", "target_id": a_agent.host_id, "pattern": "alpha-held*",
                                                      "reason": "alpha-secret-reason"}).json_body["id"]
    a_rollout = a_admin.post("/api/v1/patching/trigger", {"host_id": a_agent.host_id, "patch_type": "patch_all",
                                                          "rollout": {"max_concurrency": 1}}).json_body["rollout_id"]
    a_run = a_admin.post("/api/v1/patching/trigger", {"host_id": a_agent.host_id, "patch_type": "patch_package",
                                                      "package_names": ["alpha-secret-pkg"], "pending_approval": True}).json_body["patch_run_id"]
    a_ids = {"user_id": a_user["user_id"], "session_id": a_session, "role": "alpha_only_role", "device_id": "0123456789abcdef",
             "host_id": a_agent.host_id, "group_id": a_group, "name": "alpha-secret-pkg", "repository_id": a_repo,
             "api_id": a_agent.api_id, "run_id": a_run, "policy_id": a_policy, "assignment_id": a_assignment, "hold_id": a_hold,
             "rollout_id": a_rollout}
    markers = [a_user["user_id"], "alpha_carol", "alpha_only_role", a_session, a_admin.user_id, "carol@alpha.example", a_agent.host_id,
               "alpha-host", "alpha-hostname", "alpha-secret-pkg", a_group, "alpha-group", a_agent.api_id, a_repo,
               "alpha_only_card", "alpha-secret-repo", "alpha-mirror.example", a_run, a_policy, a_assignment, "alpha-secret-policy",
               a_hold, "alpha-secret-reason", a_rollout]
    return {"a": a_admin, "b": b_admin, "a_ids": a_ids, "a_markers": markers, "a_agent": a_agent, "a_run": a_run}


def _path(path: str, ids: dict[str, str]) -> str:
    def sub(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"path parameter {{{name}}} has no tenant-A object in the isolation suite: add one"
        return ids[name]

    return re.sub(r"{(\w+)}", sub, path)


def _call(session, method: str, path: str, host: str | None = None):
    headers = session.headers()
    if host:
        headers["Host"] = host
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    return getattr(session.client.http, method.lower())(path, headers=headers, **({"body": body} if body is not None else {}))


def _tenant_a_items(aws, tenant_id: str) -> list[dict]:
    """Every item of tenant A: its partitions (T#<a>, T#<a>#H#<host>, #PKGS, #REPOS, #EVENTS, …) and its global
    items (agent records). Counters move with every request (rate limits), sessions with activity, and the audit
    log records the refusals; everything else must stay as it was."""
    own = f"T#{tenant_id}"

    def of_a(item: dict) -> bool:
        pk = item["pk"]["S"]
        return pk == own or pk.startswith(f"{own}#") or item.get("tenant_id", {}).get("S") == tenant_id

    return sorted(json.dumps(i, sort_keys=True) for i in aws.table_items()
                  if of_a(i) and i["pk"]["S"] != keys.audit_partition(tenant_id) and not i["sk"]["S"].startswith(("COUNTER#", "SESSION#")))


@pytest.mark.parametrize(("method", "path", "op"), TENANT_ROUTES, ids=lambda v: v if isinstance(v, str) else "")
def test_tenant_b_token_is_refused_when_presented_at_tenant_a(world, method, path, op):
    response = _call(world["b"], method, _path(path, world["a_ids"]), host=host_of(world["a"].tenant))
    assert response.status_code == 401, response.body


@pytest.mark.parametrize(("method", "path", "op"), TENANT_ROUTES, ids=lambda v: v if isinstance(v, str) else "")
def test_tenant_a_objects_are_invisible_when_named_at_tenant_b(world, aws, method, path, op):
    before = _tenant_a_items(aws, world["a"].tenant.tenant_id)
    response = _call(world["b"], method, _path(path, world["a_ids"]))
    markers = world["a_markers"]
    if (method, path) in UPSERTS:
        markers = [m for m in markers if m not in world["a_ids"].values()]
    elif "{" in path:
        assert response.status_code in (400, 404), (response.status_code, response.body)
    text = response.body.decode(errors="replace")
    assert not any(marker in text for marker in markers), text
    assert _tenant_a_items(aws, world["a"].tenant.tenant_id) == before


@pytest.mark.parametrize(("method", "path", "op"), TENANT_ROUTES, ids=lambda v: v if isinstance(v, str) else "")
def test_route_refuses_with_401_when_no_one_is_signed_in(world, method, path, op):
    client = world["a"].client
    response = getattr(client.http, method.lower())(_path(path, world["a_ids"]), headers={"Host": host_of(world["a"].tenant)})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "op"), PERMISSION_ROUTES, ids=lambda v: v if isinstance(v, str) else "")
def test_route_refuses_with_403_when_the_one_permission_it_needs_is_missing(world, method, path, op):
    # Given a custom role holding every permission but the route's own
    admin = world["a"]
    role = f"all_but_{op.permission}"[:40]
    admin.put(f"/api/v1/permissions/roles/{role}", {"permissions": sorted(ALL - {op.permission})})
    almost = sign_in(admin.client, admin.tenant, "almost", role=role)
    # When
    response = _call(almost, method, _path(path, world["a_ids"]))
    # Then
    assert response.status_code == 403
    assert response.json_body["error"] == "Insufficient permissions"


def test_an_agent_sees_and_changes_only_its_own_host(world, aws):
    """Tenant B's agent, at either host name, can neither read nor write tenant A's host."""
    b_agent = enrol(world["b"], "bravo-host")
    before = _tenant_a_items(aws, world["a"].tenant.tenant_id)
    for host in (host_of(world["a"].tenant), host_of(world["b"].tenant)):
        b_agent.host = host
        b_agent.post("/hosts/update", full_report([package("bravo-pkg", "1.0")], hostname="bravo"))
        ping = b_agent.post("/hosts/ping").body.decode()
        assert not any(marker in ping for marker in world["a_markers"])
        output = b_agent.post(f"/patching/runs/{world['a_run']}/output", {"stage": "completed", "output": "bravo"})
        assert output.status_code in (401, 404) and not any(marker in output.body.decode() for marker in world["a_markers"])
    assert _tenant_a_items(aws, world["a"].tenant.tenant_id) == before
    # and A's agent presenting itself at B's host name is refused
    a_agent = world["a_agent"]
    a_agent.host = host_of(world["b"].tenant)
    assert a_agent.post("/hosts/ping").status_code == 401


def test_a_bootstrap_token_of_tenant_a_is_refused_at_tenant_b(world):
    """Tenant A's install script carries a token that B's host name refuses without consuming it; B's agent gets no script at A."""
    a_agent, client = world["a_agent"], world["a"].client
    a_agent.host = host_of(world["a"].tenant)
    script = a_agent.get("/hosts/install").body.decode()
    token = re.search(r"^BOOTSTRAP_TOKEN='([0-9a-f]{64})'$", script, re.MULTILINE).group(1)

    def exchange(host: str):
        return client.http.post("/api/v1/hosts/bootstrap/exchange", headers={"Host": host, "Content-Type": "application/json"},
                                body=json.dumps({"token": token}).encode())

    refused = exchange(host_of(world["b"].tenant))
    assert refused.status_code == 401
    assert not any(marker in refused.body.decode() for marker in world["a_markers"])
    assert exchange(host_of(world["a"].tenant)).json_body["apiId"] == a_agent.api_id
    b_agent = enrol(world["b"], "bravo-host")
    b_agent.host = host_of(world["a"].tenant)
    assert b_agent.get("/hosts/install").status_code == 401
