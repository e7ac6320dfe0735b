"""Benchmark fixtures: one moto world for the whole run (the 10,000-host fleet is built once), the meter,
and the result table printed at the end.
"""
from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from argon2 import PasswordHasher
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib.aws import ws_push
from chalicelib.core import crypto, db, settings
from chalicelib.core.observability import logger
from chalicelib.tenant import service as tenant_service
from chalicelib.user import passwords
from infra.definition import DEFINITION, WEBSOCKET_STAGE
from infra.local.aws import REGION, provision, resolve_environment
from tests.bench import report, world
from tests.bench.meter import Meter
from tests.bench.scenarios import Bench

UNREACHABLE_WS_ENDPOINT = f"http://127.0.0.1:9/{WEBSOCKET_STAGE}"


def _reset_caches() -> None:
    settings.reset_settings_cache()
    db.reset_clients()
    ws_push.reset_clients()
    crypto.secret_value.cache_clear()
    tenant_service.clear_cache()


@pytest.fixture(scope="session")
def bench() -> Iterator[Bench]:
    """moto in process with every resource of the definition (as tests/conftest.py `aws`), both fleets built, the meter installed."""
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        resources = provision(lambda s: boto3.client(s, region_name=REGION), DEFINITION, "bench")
        for name, value in resolve_environment(DEFINITION, resources, UNREACHABLE_WS_ENDPOINT).items():
            mp.setenv(name, value)
        # The autouse `_cheap_password_hashing` is function-scoped; this fixture signs in before it applies.
        mp.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        _reset_caches()
        level = logger.log_level
        logger.setLevel("WARNING")  # the product's info lines (one per login, host, report) would bury the table
        meter = Meter(REGION)
        meter.install()
        try:
            with Client(app) as client:
                built = world.build(client)
                report.note("fleet build: " + ", ".join(f"{k} {v:.1f} s" for k, v in built.build_seconds.items()))
                yield Bench(built, meter)
        finally:
            meter.uninstall()
            logger.setLevel(level)
            _reset_caches()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if report.ROWS:
        terminalreporter.write_sep("=", "DynamoDB per operation (capacity billed by tests/bench/capacity.py)")
        terminalreporter.write_line(report.table())
