"""Behind CloudFront: the tenant, client address and admission come from the edge's headers, believed only with its key."""
from __future__ import annotations

import json
import logging

import pytest

import app
from chalicelib.audit import service as audit_service
from chalicelib.core import crypto, settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.tenant import service as tenant_service
from chalicelib.web import edge
from infra.local.lambda_runtime import LambdaContext
from tests.factories.fleet import enrol
from tests.factories.identity import PASSWORD, make_tenant, make_user, sign_in

EDGE_KEY = "edge-origin-key-for-tests-0123456789"
GATEWAY_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
CHALICE_TEST_SOURCE_IP = "127.0.0.1"  # what chalice.test.Client reports as API Gateway's sourceIp
VIEWER_IP = "203.0.113.7"
CONTEXT = LambdaContext("ws", 256, 10, "arn")


@pytest.fixture
def edge_key(aws, monkeypatch):
    """The edge's origin key, in Secrets Manager and named by EDGE_KEY_SECRET_ARN, as the definition provisions it."""
    arn = aws.client("secretsmanager").create_secret(Name="patchmon/test/edge-origin-key-under-test", SecretString=EDGE_KEY)["ARN"]
    monkeypatch.setenv("EDGE_KEY_SECRET_ARN", arn)
    settings.reset_settings_cache()
    crypto.secret_value.cache_clear()
    return EDGE_KEY


@pytest.fixture
def require_edge(edge_key, monkeypatch):
    """Call to be in AWS, where every request must come through CloudFront (arrange through the API before)."""
    def require() -> None:
        monkeypatch.setenv("EDGE_REQUIRED", "true")
        settings.reset_settings_cache()

    return require


def _through_edge(viewer_host: str, *, viewer_ip: str = VIEWER_IP, key: str | None = EDGE_KEY) -> dict[str, str]:
    """Headers of a request as CloudFront forwards it: API Gateway's own name as Host, the viewer's in the edge's headers."""
    headers = {"Host": GATEWAY_HOST, edge.VIEWER_HOST: viewer_host, edge.VIEWER_IP: viewer_ip}
    return headers | ({edge.EDGE_KEY: key} if key is not None else {})


def _login(client, headers: dict[str, str], username: str, password: str = PASSWORD):
    return client.http.post("/api/v1/auth/login", headers={**headers, "Content-Type": "application/json"},
                            body=json.dumps({"username": username, "password": password}))


def _login_source_ips(tenant) -> list[str]:
    events, _ = audit_service.list_(TenantContext(tenant_id=tenant.tenant_id, principal="test"), limit=50, cursor=None, action="login")
    return [e["source_ip"] for e in events]


def _items(aws) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True) for item in aws.table_items())


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_direct_request_is_refused_and_nothing_written_when_the_edge_is_required(client, aws, require_edge, key):
    # Given a user of acme in AWS, and a caller going straight to the execute-api URL
    require_edge()
    acme = make_tenant("acme")
    make_user(acme, "alice")
    before = _items(aws)
    # When it signs in, claiming to be a viewer of acme
    response = _login(client, _through_edge("acme.localhost", key=key), "alice")
    # Then
    assert response.status_code == 403
    assert response.json_body == {"error": "Requests must come through the product's address", "code": "direct_access_refused"}
    assert _items(aws) == before


def test_the_tenant_is_the_viewer_hosts_when_through_the_edge(client, require_edge):
    # Given a user of acme in AWS
    require_edge()
    acme = make_tenant("acme")
    make_user(acme, "alice")
    # When she signs in at acme's address, which CloudFront forwards with API Gateway's name as Host
    response = _login(client, _through_edge("acme.localhost"), "alice")
    # Then
    assert response.status_code == 200, response.body
    profile = client.http.get("/api/v1/auth/profile", headers={**_through_edge("acme.localhost"),
                                                                "Authorization": f"Bearer {response.json_body['token']}"})
    assert profile.status_code == 200 and profile.json_body["user"]["username"] == "alice"


def test_a_spoofed_viewer_host_names_no_tenant_when_the_key_is_missing(client, edge_key):
    # Given a user of acme, and the edge not required (the local stack, tests)
    acme = make_tenant("acme")
    make_user(acme, "alice")
    # When a caller at API Gateway's name claims acme's address without the key
    response = _login(client, _through_edge("acme.localhost", key=None), "alice")
    # Then the Host it really used names no tenant
    assert (response.status_code, response.json_body["code"]) == (404, "tenant_not_found")


def test_the_audited_source_ip_is_the_viewers_when_through_the_edge(client, require_edge):
    require_edge()
    acme = make_tenant("acme")
    make_user(acme, "alice")
    _login(client, _through_edge("acme.localhost"), "alice", "Wrong-Passw0rd!")
    assert _login_source_ips(acme) == [VIEWER_IP]


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_spoofed_viewer_ip_is_not_recorded_when_the_key_is_missing_or_wrong(client, edge_key, key):
    # Given the default tenant, reached by its own Host (the local stack without the edge, tests)
    tenant = make_tenant("default")
    make_user(tenant, "alice")
    # When a client sends a viewer address of its choosing
    spoofed = {"Host": "localhost", edge.VIEWER_IP: "198.51.100.9", **({edge.EDGE_KEY: key} if key else {})}
    _login(client, spoofed, "alice", "Wrong-Passw0rd!")
    # Then the address recorded is the one API Gateway saw
    assert _login_source_ips(tenant) == [CHALICE_TEST_SOURCE_IP]


def test_the_login_rate_limit_counts_per_viewer_ip_when_through_the_edge(client, require_edge):
    # Given acme in AWS, allowing 5 sign-in attempts per client in a window
    require_edge()
    acme = make_tenant("acme")
    tenant_service.update_settings(acme.tenant_id, acme.settings.model_copy(update={"auth_rate_limit": 5}))
    # When one viewer exhausts it, all requests arriving from the same CloudFront address
    statuses = [_login(client, _through_edge("acme.localhost"), "nobody", "Wrong-Passw0rd!").status_code for _ in range(6)]
    # (another name: five failures also lock the account named, whoever sends them)
    other_viewer = _login(client, _through_edge("acme.localhost", viewer_ip="203.0.113.8"), "somebody", "Wrong-Passw0rd!")
    # Then only that viewer is limited
    assert statuses == [401] * 5 + [429]
    assert other_viewer.status_code == 401


def _ws_connect(connection_id: str, headers: dict[str, str]) -> dict:
    event = {"headers": headers, "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id,
                                                    "domainName": GATEWAY_HOST, "stage": "api", "apiId": "abc123defg",
                                                    "identity": {"sourceIp": "130.176.1.1"}}}
    return app.ws_connect(event, CONTEXT)


def _acme_agent(client):
    admin = sign_in(client, make_tenant("acme"), "root", role="superadmin")
    make_tenant("other")
    return enrol(admin)


def test_an_agent_connects_at_its_tenants_address_when_through_the_edge(client, require_edge, aws):
    agent = _acme_agent(client)
    require_edge()
    response = _ws_connect("c1", {**_through_edge("acme.localhost"), "X-API-ID": agent.api_id, "X-API-KEY": agent.api_key})
    assert response["statusCode"] == 200
    assert any(i["pk"]["S"] == "CONN#c1" for i in aws.table_items())


def test_an_agent_is_refused_at_another_tenants_address_when_through_the_edge(client, require_edge, aws):
    # Given acme's agent, in AWS
    agent = _acme_agent(client)
    require_edge()
    # When it connects at other's address through CloudFront
    response = _ws_connect("c1", {**_through_edge("other.localhost"), "X-API-ID": agent.api_id, "X-API-KEY": agent.api_key})
    # Then
    assert (response["statusCode"], response["body"]) == (401, "Invalid API credentials")
    assert not any(i["pk"]["S"] == "CONN#c1" for i in aws.table_items())


def test_a_websocket_connect_is_refused_when_it_bypasses_a_required_edge(client, require_edge, aws):
    agent = _acme_agent(client)
    require_edge()
    response = _ws_connect("c1", {**_through_edge("acme.localhost", key=None), "X-API-ID": agent.api_id, "X-API-KEY": agent.api_key})
    assert (response["statusCode"], response["body"]) == (403, "Requests must come through the product's address")
    assert not any(i["pk"]["S"] == "CONN#c1" for i in aws.table_items())


def test_the_edge_key_is_neither_logged_nor_stored_when_requests_come_through_the_edge(client, aws, require_edge, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    # Given requests through the edge, admitted and refused
    require_edge()
    acme = make_tenant("acme")
    make_user(acme, "alice")
    _login(client, _through_edge("acme.localhost"), "alice")
    _login(client, _through_edge("acme.localhost"), "alice", "Wrong-Passw0rd!")
    _login(client, _through_edge("acme.localhost", viewer_ip="not-an-address"), "alice")
    # Then (botocore's DEBUG log shows every response body, secrets included; Lambda does not run at DEBUG)
    ours = [r for r in caplog.records if not r.name.startswith("botocore")]
    output = capsys.readouterr().out + capsys.readouterr().err + "\n".join(r.getMessage() + str(r.__dict__) for r in ours)
    assert EDGE_KEY not in output
    assert not [item for item in _items(aws) if EDGE_KEY in item]
