"""The install script, the one-time bootstrap token it carries, and the removal script."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading

import pytest
from moto.dynamodb.models import DynamoDBBackend

from chalicelib.core import errors
from chalicelib.core.db import main_table
from chalicelib.install import service
from chalicelib.tenant import service as tenant_service
from tests.factories.fleet import enrol
from tests.factories.identity import host_of, make_tenant, sign_in

EXCHANGE = "/api/v1/hosts/bootstrap/exchange"
ENV_BLOCK = ("PATCHMON_URL", "BOOTSTRAP_TOKEN", "CURL_FLAGS", "SKIP_SSL_VERIFY", "FORCE_INSTALL", "ARCHITECTURE")


@pytest.fixture
def alpha(client, aws):
    tenant = make_tenant("alpha")
    admin = sign_in(client, tenant, "alpha_root", role="superadmin")
    return {"tenant": tenant, "admin": admin, "agent": enrol(admin, "alpha-web")}


def _install(agent, query: str = "", **headers: str):
    return agent.client.http.get(f"/api/v1/hosts/install{query}", headers=agent.headers(**headers))


def _environment(script: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z_]+)='([^']*)'$", script, flags=re.MULTILINE))


def _token(agent, query: str = "") -> str:
    response = _install(agent, query)
    assert response.status_code == 200, response.body
    return _environment(response.body.decode())["BOOTSTRAP_TOKEN"]


def _exchange(client, token: str, host: str, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps({"token": token}).encode()
    return client.http.post(EXCHANGE, headers={"Host": host, "Content-Type": "application/json"}, body=body)


def _bootstrap_items(aws) -> list[dict]:
    return [i for i in aws.table_items() if i["pk"]["S"].startswith("BOOTSTRAP#")]


# --- the install script --------------------------------------------------------------------------
def test_install_script_begins_with_the_environment_block_when_an_agent_asks(alpha):
    # When
    response = _install(alpha["agent"], "?arch=arm64")
    # Then
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/x-shellscript")
    assert response.headers["Cache-Control"] == "no-store"
    script = response.body.decode()
    lines = script.splitlines()
    assert lines[0] == "#!/bin/sh"
    names = [line.split("=", 1)[0] for line in lines[2:2 + len(ENV_BLOCK)]]
    assert names == list(ENV_BLOCK)
    env = _environment(script)
    assert env["PATCHMON_URL"] == "http://alpha.localhost"
    assert re.fullmatch(r"[0-9a-f]{64}", env["BOOTSTRAP_TOKEN"])
    assert (env["CURL_FLAGS"], env["SKIP_SSL_VERIFY"], env["FORCE_INSTALL"], env["ARCHITECTURE"]) == ("-fsS", "false", "false", "arm64")
    assert env["UPDATE_INTERVAL"] == "60"


def test_install_script_never_contains_the_api_key_when_served(alpha, aws):
    agent = alpha["agent"]
    script = _install(agent).body.decode()
    assert agent.api_key not in script
    assert agent.api_id not in script
    # and the server keeps the token only as a hash, with the credentials sealed
    token = _environment(script)["BOOTSTRAP_TOKEN"]
    stored = json.dumps(aws.table_items())
    assert token not in stored and agent.api_key not in stored
    assert f"BOOTSTRAP#{hashlib.sha256(token.encode()).hexdigest()}" in stored


def test_bootstrap_token_expires_five_minutes_after_the_script_was_served(alpha, aws, clock_at):
    token = _token(alpha["agent"])
    (item,) = _bootstrap_items(aws)
    assert int(item["expires_at"]["N"]) == int(clock_at.now.timestamp()) + 300
    assert item["tenant_id"]["S"] == alpha["tenant"].tenant_id
    assert token not in json.dumps(item)


def test_install_script_uses_the_forwarded_address_when_the_gateway_sets_it(alpha):
    script = _install(alpha["agent"], **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "alpha.patchmon.example"}).body.decode()
    assert _environment(script)["PATCHMON_URL"] == "https://alpha.patchmon.example"


def test_install_script_uses_the_configured_server_url_when_the_tenant_has_one(alpha):
    tenant = alpha["tenant"]
    tenant_service.update_settings(tenant.tenant_id, tenant.settings.model_copy(update={"server_url": "https://patch.example.org/"}))
    tenant_service.clear_cache()
    script = _install(alpha["agent"], **{"X-Forwarded-Host": "elsewhere.example"}).body.decode()
    assert _environment(script)["PATCHMON_URL"] == "https://patch.example.org"


def test_install_script_sets_force_install_when_asked_with_force(alpha):
    assert _environment(_install(alpha["agent"], "?force=true").body.decode())["FORCE_INSTALL"] == "true"


@pytest.mark.parametrize(("query", "message"), [("?os=windows", "Windows"), ("?os=freebsd", "operating system"),
                                                 ("?arch=x86_64;rm%20-rf", "arch"), ("?force=maybe", "force")])
def test_install_script_is_refused_and_no_token_is_stored_when_the_query_is_bad(alpha, aws, query, message):
    response = _install(alpha["agent"], query)
    assert response.status_code == 400
    assert message in response.json_body["error"]
    assert _bootstrap_items(aws) == []


def test_install_script_is_refused_when_the_host_header_is_not_a_host_name(alpha, aws):
    response = _install(alpha["agent"], **{"X-Forwarded-Host": "evil'$(reboot)"})
    assert response.status_code == 400
    assert _bootstrap_items(aws) == []


def test_install_script_needs_agent_credentials_when_requested(alpha):
    response = alpha["agent"].client.http.get("/api/v1/hosts/install", headers={"Host": "alpha.localhost"})
    assert response.status_code == 401
    assert response.json_body["error"] == "API credentials required"


# --- the exchange --------------------------------------------------------------------------------
def test_exchange_returns_the_host_credentials_when_the_token_is_fresh(client, alpha):
    agent = alpha["agent"]
    response = _exchange(client, _token(agent), host_of(alpha["tenant"]))
    assert response.status_code == 200
    assert response.json_body == {"apiId": agent.api_id, "apiKey": agent.api_key}


def test_exchange_fails_when_the_token_is_used_a_second_time(client, alpha):
    token = _token(alpha["agent"])
    assert _exchange(client, token, host_of(alpha["tenant"])).status_code == 200
    second = _exchange(client, token, host_of(alpha["tenant"]))
    assert second.status_code == 401
    assert second.json_body["error"] == "Invalid or expired bootstrap token"


def test_exchange_fails_when_the_token_has_expired_but_ttl_has_not_yet_removed_it(client, alpha, aws, clock_at):
    token = _token(alpha["agent"])
    clock_at.advance(seconds=301)
    response = _exchange(client, token, host_of(alpha["tenant"]))
    assert response.status_code == 401
    assert response.json_body["error"] == "Invalid or expired bootstrap token"


def test_exchange_succeeds_when_the_token_is_just_inside_its_five_minutes(client, alpha, clock_at):
    token = _token(alpha["agent"])
    clock_at.advance(seconds=299)
    assert _exchange(client, token, host_of(alpha["tenant"])).status_code == 200


def test_exchange_fails_the_same_way_when_the_token_is_unknown(client, alpha):
    response = _exchange(client, "ab" * 32, host_of(alpha["tenant"]))
    assert response.status_code == 401
    assert response.json_body["error"] == "Invalid or expired bootstrap token"


def test_exchange_is_refused_at_another_tenants_host_and_the_token_survives_when_presented_there(client, alpha):
    # Given tenant A's token and another tenant, B
    token = _token(alpha["agent"])
    bravo = make_tenant("bravo")
    # When it is presented at B's host name
    refused = _exchange(client, token, host_of(bravo))
    # Then B refuses it exactly as an unknown token, without consuming it
    assert refused.status_code == 401
    assert refused.json_body["error"] == "Invalid or expired bootstrap token"
    assert _exchange(client, token, host_of(alpha["tenant"])).status_code == 200


def test_exchange_is_accepted_at_the_default_host_when_the_token_is_another_tenants(client, alpha):
    """As with API credentials, the default tenant's host name serves every tenant's agents."""
    make_tenant("default")
    token = _token(alpha["agent"])
    response = _exchange(client, token, "localhost")
    assert response.status_code == 200
    assert response.json_body["apiId"] == alpha["agent"].api_id


@pytest.mark.parametrize("raw", [b"not json", b'["a"]', b"{}", b'{"token": "abc"}', b'{"token": 42}',
                                 json.dumps({"token": "g" * 64}).encode(), json.dumps({"token": "a" * 64, "extra": 1}).encode()])
def test_exchange_answers_400_and_writes_nothing_when_the_body_is_bad(client, alpha, aws, raw):
    token = _token(alpha["agent"])
    before = sorted(json.dumps(i, sort_keys=True) for i in aws.table_items())
    response = _exchange(client, token, host_of(alpha["tenant"]), raw=raw)
    assert response.status_code == 400
    assert "error" in response.json_body
    assert sorted(json.dumps(i, sort_keys=True) for i in aws.table_items()) == before


def test_exchange_accepts_the_token_when_sent_in_upper_case(client, alpha):
    token = _token(alpha["agent"])
    assert _exchange(client, token.upper(), host_of(alpha["tenant"])).status_code == 200


def test_exchange_is_rate_limited_per_source_ip_when_tried_at_volume(client, alpha):
    tenant = alpha["tenant"]
    tenant_service.update_settings(tenant.tenant_id, tenant.settings.model_copy(update={"auth_rate_limit": 5}))
    tenant_service.clear_cache()
    statuses = [_exchange(client, f"{i:064x}", host_of(tenant)).status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    # and a login from the same address is not affected: the exchange has its own counter
    login = client.http.post("/api/v1/auth/login", headers={"Host": host_of(tenant), "Content-Type": "application/json"},
                             body=json.dumps({"username": "alpha_root", "password": "wrong"}).encode())
    assert login.status_code == 401


def test_concurrent_exchanges_of_one_token_have_exactly_one_winner(alpha, monkeypatch):
    """Ten exchanges released at once: the conditional delete lets exactly one through."""
    # Given DynamoDB's per-item atomicity (moto's delete_item is not thread safe by itself)
    lock = threading.Lock()
    original = DynamoDBBackend.delete_item

    def atomic_delete(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "delete_item", atomic_delete)
    token = _token(alpha["agent"])
    start = threading.Barrier(10)
    outcomes: list[str] = []

    def attempt() -> None:
        start.wait()
        try:
            service.exchange(token=token, host_tenant=alpha["tenant"], source_ip="10.0.0.9")
            outcomes.append("won")
        except errors.Unauthenticated:
            outcomes.append("lost")

    # When
    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then
    assert sorted(outcomes) == ["lost"] * 9 + ["won"]


def test_exchange_uses_one_conditional_delete_when_the_token_is_consumed(alpha):
    """No read-then-delete: the check and the removal are one request."""
    token = _token(alpha["agent"])
    calls: list[tuple[str, dict]] = []
    events = main_table().meta.client.meta.events

    def record(model, params, **_):
        calls.append((model.name, json.loads(params["body"])))

    events.register("before-call.dynamodb.*", record)
    try:
        service.exchange(token=token, host_tenant=alpha["tenant"], source_ip="10.0.0.9")
    finally:
        events.unregister("before-call.dynamodb.*", record)
    on_token = [(name, params) for name, params in calls if "BOOTSTRAP#" in json.dumps(params.get("Key", {}))]
    assert [name for name, _ in on_token] == ["DeleteItem"]
    assert "expires_at > :now" in on_token[0][1]["ConditionExpression"]
    assert on_token[0][1]["ReturnValues"] == "ALL_OLD"


def test_tokens_and_keys_never_reach_the_logs_when_installing(client, alpha, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    agent = alpha["agent"]
    token = _token(agent)
    _exchange(client, token, host_of(alpha["tenant"]))
    _exchange(client, token, host_of(alpha["tenant"]))
    captured = capsys.readouterr()
    output = captured.out + captured.err + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert token not in output
    assert agent.api_key not in output


def test_install_and_exchange_are_audited_when_they_happen(client, alpha):
    agent = alpha["agent"]
    _exchange(client, _token(agent), host_of(alpha["tenant"]))
    actions = [e["action"] for e in alpha["admin"].get("/api/v1/audit-log").json_body["events"]]
    assert "agent_install_script_issued" in actions and "agent_bootstrap_exchanged" in actions


# --- the removal script --------------------------------------------------------------------------
def test_remove_script_is_served_to_anyone_when_asked(client, aws):
    response = client.http.get("/api/v1/hosts/remove", headers={"Host": "whatever.example"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/x-shellscript")
    script = response.body.decode()
    assert script.startswith("#!/bin/sh\n")
    for path in ("/etc/patchmon", "/usr/local/bin/patchmon-agent", "patchmon-agent.service", "/etc/init.d/patchmon-agent",
                 "/etc/cron.d/patchmon-agent", "PATCHMON_ROOT", "PATCHMON_SKIP_SERVICE"):
        assert path in script
    assert "TOKEN" not in script and "api_key" not in script
