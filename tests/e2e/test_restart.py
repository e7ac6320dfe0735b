"""Data survives a restart of the local stack, and Ctrl-C shuts it down cleanly."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e.stack import LocalStackProcess

pytestmark = pytest.mark.timeout(150)


def test_tickets_queued_messages_and_schedules_survive_when_stack_restarts(tmp_path):
    # Given a stack holding a ticket (DynamoDB), a delayed message (SQS) and a future schedule (Scheduler)
    first = LocalStackProcess(tmp_path, env={"WS_TICKET_TTL_SECONDS": "300"})
    first.start()
    try:
        token = first.setup_admin()
        ticket = httpx.post(f"{first.url}/api/v1/ws/tickets", headers={"Authorization": f"Bearer {token}"}).json()["ticket"]
        first.aws_client("sqs").send_message(QueueUrl=first.queue_url("agent-commands-dlq"), MessageBody='{"kept": true}')
        at = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        first.aws_client("scheduler").create_schedule(
            Name="tomorrow", GroupName="patchmon-dev-schedules", ScheduleExpression=f"at({at})", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:patchmon-dev-agent-commands",
                    "RoleArn": "arn:aws:iam::123456789012:role/x", "Input": "{}"})
    finally:
        # When it is stopped with Ctrl-C
        exit_code = first.stop()
    assert exit_code == 0
    log = first.log()
    assert "Traceback" not in log
    assert "patchmon.local: shutting down" in log and "patchmon.local: stopped" in log
    assert "rule patchmon-dev-system-heartbeat fired" in log  # the local stack's own log lines are not swallowed
    assert ticket not in log  # one-time tickets never reach the logs

    # Then a new stack on the same data directory has all of it
    second = LocalStackProcess(tmp_path, env={"WS_TICKET_TTL_SECONDS": "300"})
    second.start()
    try:
        # the signing key, the user and the session survived: the first stack's token still works
        me = httpx.get(f"{second.url}/api/v1/me/context", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["role"] == "superadmin"
        with connect(f"{second.ws_url}?ticket={ticket}", open_timeout=10) as ws:
            ws.send(json.dumps({"action": "hello"}))
            assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
        dlq = second.aws_client("sqs").receive_message(QueueUrl=second.queue_url("agent-commands-dlq"))["Messages"]
        assert json.loads(dlq[0]["Body"]) == {"kept": True}
        schedule = second.aws_client("scheduler").get_schedule(Name="tomorrow", GroupName="patchmon-dev-schedules")
        assert schedule["ScheduleExpression"] == f"at({at})"
    finally:
        assert second.stop() == 0
    assert ticket not in second.log()  # the upgrade URL carried it; the access log must not
