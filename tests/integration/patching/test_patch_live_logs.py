"""Live patch logs: a browser subscribes over the WebSocket and gets snapshot, chunks and done (C11.15)."""
from __future__ import annotations

import json

import app
from chalicelib.core.tenancy import TenantContext
from chalicelib.realtime import service as realtime_service
from tests.factories.identity import make_tenant, make_user
from tests.factories.websocket import CONTEXT, connect_event


def _browser(tenant, user, connection_id: str) -> None:
    ticket = realtime_service.issue_ticket(TenantContext(tenant_id=tenant.tenant_id, principal="user", user_id=user["user_id"]))["ticket"]
    response = app.ws_connect(connect_event(connection_id, {"Host": "localhost"}, query={"ticket": ticket}), CONTEXT)
    assert response["statusCode"] == 200, response


def _send(connection_id: str, message: dict) -> None:
    app.ws_message({"body": json.dumps(message), "requestContext": {"routeKey": "$default", "eventType": "MESSAGE",
                                                                    "connectionId": connection_id, "domainName": "localhost",
                                                                    "stage": "api", "apiId": "local"}}, CONTEXT)


def _received(pushed, connection_id: str) -> list[dict]:
    return [p["message"] for p in pushed["sent"] if p["connection_id"] == connection_id]


def _running_run(admin, agent, commands) -> str:
    run_id = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, "patch_type": "patch_all"}).json_body["patch_run_id"]
    assert commands.deliver() == "sent"
    return run_id


def _post(agent, run_id, stage, **body):
    response = agent.post(f"/patching/runs/{run_id}/output", {"stage": stage, **body})
    assert response.status_code == 200, response.body


def test_a_subscriber_gets_the_snapshot_then_each_chunk_then_done(admin, agent, commands, pushed, tenant):
    run_id = _running_run(admin, agent, commands)
    _post(agent, run_id, "progress", output="line 1\n")
    _browser(tenant, {"user_id": admin.user_id}, "browser-1")
    _send("browser-1", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    snapshot = _received(pushed, "browser-1")[0]
    assert snapshot == {"type": "snapshot", "patch_run_id": run_id, "stage": "running", "shell_output": "line 1\n", "error_message": None,
                        "seq": 1}
    _post(agent, run_id, "progress", output="line 2\n")
    _post(agent, run_id, "completed", output="line 1\nline 2\n--- Patch run completed ---\n")
    messages = _received(pushed, "browser-1")[1:]
    assert messages == [{"type": "chunk", "patch_run_id": run_id, "stage": "progress", "chunk": "line 2\n", "seq": 2},
                        {"type": "done", "patch_run_id": run_id, "stage": "completed", "error_message": None}]
    _post_after = len(pushed["sent"])
    assert admin.get(f"/api/v1/patching/runs/{run_id}").json_body["status"] == "completed"
    assert len(pushed["sent"]) == _post_after  # the subscription ended with done


def test_every_subscriber_gets_the_chunks_whichever_invocation_receives_them(admin, agent, commands, pushed, tenant):
    run_id = _running_run(admin, agent, commands)
    for connection in ("browser-1", "browser-2"):
        _browser(tenant, {"user_id": admin.user_id}, connection)
        _send(connection, {"action": "subscribe_patch_run", "patch_run_id": run_id})
    _post(agent, run_id, "progress", output="hello\n")
    for connection in ("browser-1", "browser-2"):
        assert _received(pushed, connection)[-1]["chunk"] == "hello\n"


def test_a_reconnect_replays_the_stored_output_in_its_snapshot(admin, agent, commands, pushed, tenant):
    run_id = _running_run(admin, agent, commands)
    _browser(tenant, {"user_id": admin.user_id}, "browser-1")
    _send("browser-1", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    _post(agent, run_id, "progress", output="a\n")
    pushed["gone"].add("browser-1")  # the tab lost its connection
    _post(agent, run_id, "progress", output="b\n")
    _browser(tenant, {"user_id": admin.user_id}, "browser-2")
    _send("browser-2", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    snapshot = _received(pushed, "browser-2")[0]
    assert snapshot["shell_output"] == "a\nb\n" and snapshot["seq"] == 2


def test_subscribing_to_a_finished_run_gets_the_snapshot_and_done_at_once(admin, agent, commands, pushed, tenant):
    run_id = _running_run(admin, agent, commands)
    _post(agent, run_id, "failed", output="E: no\n", error_message="exit status 100")
    _browser(tenant, {"user_id": admin.user_id}, "browser-1")
    _send("browser-1", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    snapshot, done = _received(pushed, "browser-1")
    assert snapshot["stage"] == "failed" and snapshot["shell_output"] == "E: no\n"
    assert done == {"type": "done", "patch_run_id": run_id, "stage": "failed", "error_message": "exit status 100"}


def test_status_changes_reach_subscribers(admin, agent, commands, pushed, tenant):
    run_id = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, "patch_type": "patch_all"}).json_body["patch_run_id"]
    _browser(tenant, {"user_id": admin.user_id}, "browser-1")
    _send("browser-1", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    assert _received(pushed, "browser-1")[0]["stage"] == "queued"
    commands.deliver()
    _post(agent, run_id, "started")
    stages = [m["stage"] for m in _received(pushed, "browser-1") if m["type"] == "status"]
    assert stages == ["running", "running"]


def test_another_tenants_run_cannot_be_followed(admin, agent, commands, pushed, aws):
    run_id = _running_run(admin, agent, commands)
    other = make_tenant("other")
    outsider = make_user(other, "mallory", role="superadmin")
    _browser(other, outsider, "browser-x")
    _send("browser-x", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    assert _received(pushed, "browser-x") == [{"type": "error", "patch_run_id": run_id, "error": "Patch run not found", "code": "not_found"}]
    _post(agent, run_id, "progress", output="secret\n")
    assert len(_received(pushed, "browser-x")) == 1


def test_a_user_without_can_view_hosts_cannot_follow_a_run(admin, agent, commands, pushed, tenant, client):
    run_id = _running_run(admin, agent, commands)
    admin.put("/api/v1/permissions/roles/no_hosts", {"permissions": ["can_view_dashboard"]})
    user = make_user(tenant, "nohosts", role="no_hosts")
    _browser(tenant, user, "browser-1")
    _send("browser-1", {"action": "subscribe_patch_run", "patch_run_id": run_id})
    assert _received(pushed, "browser-1")[0]["type"] == "error"


def test_malformed_subscriptions_get_an_error_and_subscribe_nothing(admin, agent, commands, pushed, tenant, aws):
    _browser(tenant, {"user_id": admin.user_id}, "browser-1")
    for bad in ({"action": "subscribe_patch_run"}, {"action": "subscribe_patch_run", "patch_run_id": 5},
                {"action": "subscribe_patch_run", "patch_run_id": "x" * 100}):
        _send("browser-1", bad)
    errors = _received(pushed, "browser-1")
    assert [e["type"] for e in errors] == ["error", "error", "error"]
    assert not [i for i in aws.table_items() if i["sk"]["S"].startswith("SUB#")]
