"""Shared fixtures: AWS in process (moto), provisioned from the same definition the product deploys."""
from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.aws import ws_push
from chalicelib.core import crypto, settings
from chalicelib.tenant import service as tenant_service
from infra.definition import DEFINITION, WEBSOCKET_STAGE
from infra.local.aws import CREDENTIALS, REGION, Resources, provision, resolve_environment

# Nothing listens here: tests that need a gateway start one or stub ws_push.
UNREACHABLE_WS_ENDPOINT = f"http://127.0.0.1:9/{WEBSOCKET_STAGE}"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.update(CREDENTIALS)
    os.environ.update({"AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "POWERTOOLS_TRACE_DISABLED": "true",
                       "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "test"})
    os.environ.pop("AWS_ENDPOINT_URL", None)


@dataclass
class Aws:
    resources: Resources

    def client(self, service: str) -> Any:
        return _client(service)

    def table_items(self, logical: str = "main") -> list[dict[str, Any]]:
        return self.client("dynamodb").scan(TableName=self.resources.tables[logical])["Items"]

    def queue_depth(self, logical: str) -> int:
        attrs = self.client("sqs").get_queue_attributes(QueueUrl=self.resources.queue_urls[logical],
                                                        AttributeNames=["ApproximateNumberOfMessages",
                                                                        "ApproximateNumberOfMessagesDelayed",
                                                                        "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return sum(int(v) for v in attrs.values())


@functools.cache
def _client(service: str) -> Any:
    # moto intercepts a client whenever a mock is active, whichever mock it was created under: creating clients
    # (a botocore session each) was a third of an integration test's time, so they live as long as the worker.
    return boto3.client(service, region_name=REGION)


def _reset_caches() -> None:
    settings.reset_settings_cache()
    ws_push.reset_clients()
    crypto.secret_value.cache_clear()
    tenant_service.clear_cache()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """moto in process with every resource of the definition, and the functions' environment set."""
    with mock_aws():
        resources = provision(_client, DEFINITION, "test")
        for name, value in resolve_environment(DEFINITION, resources, UNREACHABLE_WS_ENDPOINT).items():
            monkeypatch.setenv(name, value)
        _reset_caches()
        yield Aws(resources)
    _reset_caches()


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict[str, Any]]]:
    """Record what would be pushed to WebSocket connections; ids in `gone` answer 410."""
    record: dict[str, Any] = {"sent": [], "gone": set()}

    def send(connection_id: str, message: dict[str, Any]) -> None:
        if connection_id in record["gone"]:
            raise ws_push.ConnectionGone(connection_id)
        record["sent"].append({"connection_id": connection_id, "message": message})

    monkeypatch.setattr(ws_push, "send", send)
    return record


@pytest.fixture
def clock_at(monkeypatch: pytest.MonkeyPatch):
    """Control the product's clock: `clock_at.advance(minutes=...)` moves time forward."""
    from datetime import timedelta

    from chalicelib.core import clock

    class Controlled:
        def __init__(self) -> None:
            self.now = clock.now()

        def advance(self, **delta: float) -> None:
            self.now += timedelta(**delta)

    controlled = Controlled()
    monkeypatch.setattr(clock, "now", lambda: controlled.now)
    return controlled


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at test strength: the production parameters are checked in tests/unit/user/test_passwords.py."""
    from argon2 import PasswordHasher

    from chalicelib.user import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
