"""Load: hundreds of simulated agents checking in and reporting at once against the started local stack.

Run on demand (`make load`, or `pytest tests/load -m bench -s`); LOAD_AGENTS sets the count (default 500).
Each agent does what the official agent does at startup: update-interval, ping, full report, then a
hash-gated ping. The run must end with zero errors and every report stored.
"""
from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest

from tests.e2e.stack import LocalStackProcess
from tests.factories.fleet import full_report, hashes_of, packages

pytestmark = [pytest.mark.bench, pytest.mark.timeout(900)]
AGENTS = int(os.environ.get("LOAD_AGENTS", "500"))


async def _agent(client: httpx.AsyncClient, creds: dict[str, str], index: int, errors: list[str], latencies: list[float]) -> None:
    report = full_report(packages(50, outdated=index % 7, security=index % 3), hostname=f"load-{index}")
    steps = [("GET", "/api/v1/settings/update-interval", None), ("POST", "/api/v1/hosts/ping", None),
             ("POST", "/api/v1/hosts/update", {**report, "hashes": hashes_of(report)}),
             ("POST", "/api/v1/hosts/ping", {"hashes": hashes_of(report)})]
    for method, path, body in steps:
        started = time.perf_counter()
        try:
            response = await client.request(method, path, json=body, headers=creds)
            if response.status_code != 200:
                errors.append(f"{path}: {response.status_code} {response.text[:200]}")
        except httpx.HTTPError as exc:
            errors.append(f"{path}: {type(exc).__name__}")
        latencies.append(time.perf_counter() - started)


def test_hundreds_of_agents_check_in_and_report_concurrently(tmp_path):
    stack = LocalStackProcess(tmp_path, **{"snapshot-interval": 60})
    stack.start()
    try:
        token = stack.setup_admin()
        admin = {"Authorization": f"Bearer {token}"}
        hosts = []
        with httpx.Client(base_url=stack.url, timeout=60) as http:
            for i in range(AGENTS):
                created = http.post("/api/v1/hosts/create", json={"friendly_name": f"load-{i:04d}"}, headers=admin)
                assert created.status_code == 201, created.text
                hosts.append(created.json())
        errors: list[str] = []
        latencies: list[float] = []

        async def run() -> float:
            limits = httpx.Limits(max_connections=AGENTS, max_keepalive_connections=AGENTS)
            async with httpx.AsyncClient(base_url=stack.url, timeout=600, limits=limits) as client:
                started = time.perf_counter()
                await asyncio.gather(*(_agent(client, {"X-API-ID": h["apiId"], "X-API-KEY": h["apiKey"]}, i, errors, latencies)
                                       for i, h in enumerate(hosts)))
                return time.perf_counter() - started

        elapsed = asyncio.run(run())
        with httpx.Client(base_url=stack.url, timeout=60) as http:
            stats = http.get("/api/v1/dashboard/stats", headers=admin).json()
            active = stats["hosts_by_status"].get("active", 0)
        latencies.sort()
        print(f"\nload: {AGENTS} agents, {len(latencies)} requests in {elapsed:.1f}s "
              f"({len(latencies) / elapsed:.0f} req/s), p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
              f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, errors {len(errors)}, hosts active {active}")
        assert errors == []
        assert active == AGENTS  # every report stored
    finally:
        stack.stop()
