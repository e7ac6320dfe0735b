"""Patching's DynamoDB cost per operation: a trigger, a dispatch, each streamed output chunk (the hot path while a
run is live), the final result, and the Patching pages, which must not grow with the number of runs or hosts."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.aws import queue, ws_push
from chalicelib.patching import dispatch
from chalicelib.patching.events import PatchRunDue
from tests.bench import report
from tests.factories.identity import sign_in
from tests.factories.websocket import connect_agent

pytestmark = [pytest.mark.bench, pytest.mark.timeout(2400)]  # the first benchmark of a run builds the fleets
CHUNK = "Unpacking openssl (3.0.13-1~deb12u1) over (3.0.11-1~deb12u2) ...\n" * 16  # ~1 KiB, the agent's flush size
FINAL_OUTPUT = CHUNK * 50
# (requests, WRU), web or agent authentication included. A run's item is in gsi1 (a host's runs), so its writes
# count twice; status changes are transactions (run + counters), which DynamoDB bills double.
ROUTE_BUDGET = {"trigger": (10, 12), "dispatch": (8, 8), "chunk": (6, 5),
                # the final text is stored whole, 1 WRU per KB, on top of the status transaction (6), the agent (2) and host (4) records
                "final": (9, 16 + len(FINAL_OUTPUT.encode()) // 1024 + 1)}


@pytest.fixture(scope="module")
def patching(bench, monkeypatch_module) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []
    monkeypatch_module.setattr(ws_push, "send", lambda connection_id, message: sent.append(message))
    real_send = queue.send
    monkeypatch_module.setattr(queue, "send", lambda url, message, **kw: sent.append(message) or real_send(url, message, **kw))
    fleet = bench.world.small
    admin = sign_in(fleet.viewer.client, fleet.tenant, "patch-bench-admin", role="admin")
    connect_agent(bench.agent, "bench-agent-conn")
    return {"admin": admin, "sent": sent}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _within(name: str, window, budget: tuple[int, int]) -> bool:
    ok = window.requests <= budget[0] and window.wru <= budget[1]
    report.add(name, window, budget=f"<={budget[0]} requests, <={budget[1]} WRU", ok=ok)
    return ok


def test_a_run_costs_a_constant_number_of_requests_from_trigger_to_result(bench, patching):
    admin, agent = patching["admin"], bench.agent
    with bench.meter.window() as trigger:
        created = admin.post("/api/v1/patching/trigger", {"host_id": agent.host_id, "patch_type": "patch_all"})
    assert created.status_code == 201, created.body
    run_id = created.json_body["patch_run_id"]
    due = next(m for m in reversed(patching["sent"]) if m.get("type") == "patching.run_due")
    with bench.meter.window() as dispatched:
        assert dispatch.handle_due(PatchRunDue.model_validate(due)) == "sent"
    with bench.meter.window() as chunk:
        assert agent.post(f"/patching/runs/{run_id}/output", {"stage": "progress", "output": CHUNK}).status_code == 200
    with bench.meter.window() as final:
        assert agent.post(f"/patching/runs/{run_id}/output", {"stage": "completed", "output": FINAL_OUTPUT}).status_code == 200
    checks = [_within("POST /patching/trigger (1 host, immediate)", trigger, ROUTE_BUDGET["trigger"]),
              _within("patch dispatch (run_due → run_patch)", dispatched, ROUTE_BUDGET["dispatch"]),
              _within("agent output chunk (1 KiB, no subscriber)", chunk, ROUTE_BUDGET["chunk"]),
              _within("agent final result (50 KiB output)", final, ROUTE_BUDGET["final"])]
    report.note("a 30-minute apt upgrade streaming 1 KiB every 250 ms would post at most 7,200 chunks; in practice apt prints in "
                "bursts, and chunks are flushed at 1 KiB or 250 ms, whichever first")
    assert all(checks), "\n".join(w.describe() for w in (trigger, dispatched, chunk, final))


def test_the_patching_pages_cost_the_same_whatever_the_number_of_runs(bench, patching):
    admin = patching["admin"]
    for _ in range(30):
        assert admin.post("/api/v1/patching/trigger", {"host_id": bench.agent.host_id, "patch_type": "patch_all",
                                                       "pending_approval": True}).status_code == 201
    measured = {}
    for path in ("/api/v1/patching/dashboard", "/api/v1/patching/runs?limit=25", "/api/v1/patching/runs?status=pending_approval&limit=25"):
        admin.get(path)  # warm
        with bench.meter.window() as window:
            assert admin.get(path).status_code == 200
        measured[path] = window.select(lambda c: not c.is_auth)
    checks = [_within(f"GET {path} (route only, 30+ runs)", window, (2, 0)) for path, window in measured.items()]
    assert all(checks), "\n".join(w.describe() for w in measured.values())
