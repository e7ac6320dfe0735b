"""A tenant with an admin, an enrolled host whose agent is connected, and the agent-commands queue observed."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from chalicelib.aws import queue, scheduler
from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in
from tests.factories.patching import Commands
from tests.factories.websocket import connect_agent


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> Commands:
    record = Commands()
    real_send, real_create, real_delete = queue.send, scheduler.create_one_time, scheduler.delete

    def send(queue_url: str, message: dict[str, Any], *, delay_seconds: int = 0) -> str:
        record.sent.append({"message": json.loads(json.dumps(message)), "delay": delay_seconds})
        return real_send(queue_url, message, delay_seconds=delay_seconds)

    def create_one_time(*, name: str, at: datetime, target_arn: str, payload: dict[str, Any]) -> None:
        record.schedules[name] = {"at": at, "payload": payload}
        real_create(name=name, at=at, target_arn=target_arn, payload=payload)

    def delete(name: str) -> bool:
        record.schedules.pop(name, None)
        return real_delete(name)

    monkeypatch.setattr(queue, "send", send)
    monkeypatch.setattr(scheduler, "create_one_time", create_one_time)
    monkeypatch.setattr(scheduler, "delete", delete)
    return record


@pytest.fixture
def tenant(aws):
    return make_tenant()


@pytest.fixture
def admin(client, tenant):
    return sign_in(client, tenant, "root", role="superadmin")


@pytest.fixture
def agent(admin, pushed):
    """A host whose agent holds its WebSocket (pushes to it are recorded by `pushed`)."""
    enrolled = enrol(admin, "web-01")
    connect_agent(enrolled, "agent-conn-1")
    return enrolled
