"""Seed a running stack with hosts that have each sent a full report, for the page-speed check.

    python -m tests.ui.seed --hosts 1000 --url http://localhost:8000 [--username admin --password ...]

Hosts are enrolled through the API as an operator would and report through the agent API as agents
would (tests/factories/fleet.py payloads), a few at a time so the stack keeps serving. The admin is
signed in with the password (or created, on a stack still awaiting first-time setup).

Each host reports 100 packages by default (--packages): the local stack stores a report at about 10 ms
per package, so 1,000 hosts take about half an hour on a two-core machine.
"""
from __future__ import annotations

import argparse
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories.fleet import full_report, hashes_of, packages
from tests.ui.harness import ADMIN

RETRIED = {429, 503}
RETRIED_IF_IDEMPOTENT = {504}  # the gateway gave up after 29 s: the request may have happened
SYSTEMS = (("Ubuntu", "22.04", "5.15.0-91-generic"), ("Ubuntu", "24.04", "6.8.0-45-generic"), ("Debian GNU/Linux", "12 (bookworm)", "6.1.0-25-amd64"))


@dataclass
class Fleet:
    hosts: dict[str, str] = field(default_factory=dict)  # friendly name -> host id
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def sign_in(url: str, *, username: str = ADMIN.username, password: str = ADMIN.password) -> str:
    """Return an access token of the admin, creating the admin first if the stack is not set up yet."""
    with httpx.Client(base_url=url, timeout=30) as http:
        if http.get("/api/v1/auth/setup-status").json().get("needs_setup"):
            answer = http.post("/api/v1/auth/setup-admin", json={"username": username, "email": f"{username}@example.com", "password": password})
        else:
            answer = http.post("/api/v1/auth/login", json={"username": username, "password": password})
    answer.raise_for_status()
    body = answer.json()
    if "token" not in body:
        raise RuntimeError(f"cannot sign in as {username} without a second factor: {body.get('message')}")
    return body["token"]


def host_report(index: int, *, package_count: int, hostname: str) -> dict[str, Any]:
    """A full report as an apt agent sends it: overlapping package sets, some outdated, a few security updates and reboots."""
    offset = (index % 10) * package_count // 10  # hosts share most packages, as a real fleet does
    outdated = index % 40
    pkgs = packages(package_count + offset, outdated=offset + outdated, security=offset + min(outdated, index % 6))[offset:]
    os_type, os_version, kernel = SYSTEMS[index % len(SYSTEMS)]
    report = full_report(pkgs, hostname=hostname, needs_reboot=index % 17 == 0)
    report.update(osType=os_type, osVersion=os_version, kernelVersion=kernel, ip=f"10.{index // 250}.{index % 250}.10")
    return {**report, "hashes": hashes_of(report)}


async def _send(client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str], *, idempotent: bool) -> str | httpx.Response:
    """POST, retrying 429/503 (and, when repeating is harmless, a timeout); a failure comes back as its description."""
    for attempt in range(5):
        try:
            response = await client.post(path, json=body, headers=headers)
        except httpx.TransportError as exc:
            # A create that timed out may have happened: repeating it could enrol the host twice.
            if not idempotent:
                return f"{type(exc).__name__}"
            await asyncio.sleep(2 ** attempt)
            continue
        if response.status_code == 401 and "Authorization" in headers and response.json().get("code") == "token_expired":
            headers["Authorization"] = f"Bearer {await asyncio.to_thread(sign_in, str(client.base_url))}"  # a seed outlasting the 1 h token
            continue
        if response.status_code not in RETRIED and not (idempotent and response.status_code in RETRIED_IF_IDEMPOTENT):
            return response
        await asyncio.sleep(float(response.headers.get("Retry-After", 2 ** attempt)))
    return "gave up after 5 attempts"


async def _one(client: httpx.AsyncClient, admin: dict[str, str], index: int, fleet: Fleet, *, prefix: str, package_count: int) -> None:
    name = f"{prefix}-{index:05d}"
    created = await _send(client, "/api/v1/hosts/create", {"friendly_name": name}, admin, idempotent=False)
    if isinstance(created, str) or created.status_code != 201:
        fleet.errors.append(f"{name} create: {_describe(created)}")
        return
    host = created.json()
    agent = {"X-API-ID": host["apiId"], "X-API-KEY": host["apiKey"]}
    report = host_report(index, package_count=package_count, hostname=name)
    sent = await _send(client, "/api/v1/hosts/update", report, agent, idempotent=True)
    if isinstance(sent, str) or sent.status_code != 200:
        fleet.errors.append(f"{name} report: {_describe(sent)}")
        return
    fleet.hosts[name] = host["hostId"]


def _describe(outcome: str | httpx.Response) -> str:
    return outcome if isinstance(outcome, str) else f"{outcome.status_code} {outcome.text[:200]}"


async def _seed(url: str, token: str, *, hosts: int, start: int, package_count: int, concurrency: int, prefix: str,
                progress: bool) -> Fleet:
    fleet = Fleet()
    admin = {"Authorization": f"Bearer {token}"}  # shared by the workers, so one renewal serves them all
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(start, start + hosts):
        queue.put_nowait(index)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            await _one(client, admin, index, fleet, prefix=prefix, package_count=package_count)
            done = len(fleet.hosts) + len(fleet.errors)
            if progress and done % 100 == 0:
                print(f"seeded {done}/{hosts} hosts ({len(fleet.errors)} errors)", flush=True)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    fleet.seconds = time.perf_counter() - started
    return fleet


def seed(url: str, *, token: str, hosts: int = 1000, start: int = 0, package_count: int = 100, concurrency: int = 8,
         prefix: str = "seed", progress: bool = False) -> Fleet:
    """Enrol `hosts` hosts (numbered from `start`) and send each a full report, `concurrency` at a time; return their names, ids
    and any errors."""
    work = _seed(url, token, hosts=hosts, start=start, package_count=package_count, concurrency=concurrency, prefix=prefix,
                 progress=progress)
    # A thread of its own: Playwright's sync API already runs an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ui.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8000")
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0, help="number of the first host (to add to a seeded stack)")
    parser.add_argument("--packages", type=int, default=100, help="packages per host (default 100)")
    parser.add_argument("--concurrency", type=int, default=8, help="hosts seeded at once (default 8)")
    parser.add_argument("--prefix", default="seed", help="friendly-name prefix (default seed: seed-00000, ...)")
    parser.add_argument("--username", default=ADMIN.username)
    parser.add_argument("--password", default=ADMIN.password)
    args = parser.parse_args(argv)
    token = sign_in(args.url, username=args.username, password=args.password)
    fleet = seed(args.url, token=token, hosts=args.hosts, start=args.start, package_count=args.packages, concurrency=args.concurrency,
                 prefix=args.prefix, progress=True)
    print(f"seeded {len(fleet.hosts)} hosts in {fleet.seconds:.1f}s, {len(fleet.errors)} errors")
    for error in fleet.errors[:20]:
        print(error)
    return 1 if fleet.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
