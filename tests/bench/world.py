"""The fleets the benchmark measures.

- `small`: 10 hosts, built through the API as agents would (enrol, check in, full report). One of them,
  the bench host, carries 1,500 packages; the other nine carry 300 each.
- `large`: 10,000 hosts, too many to report through the API in a test run, so its items are written
  directly with the product's own batch writer (`inventory.store.write_items`) and key functions, each a
  copy of an item the product itself wrote for the small fleet (host record, agent record, package
  aggregate) with its own ids, names, status and counts: 10,000 host items, 10,000 agent records,
  5,000 package aggregates (PKG#) and the fleet counters (STATS) summed with the product's
  `inventory.service.fleet_delta`. Per-host package items (HPKG#) are NOT written for it: 10,000 x
  1,500 of them (15 million items) do not fit in moto's memory, and none of the pages measured on this
  fleet (dashboard, packages, host list) reads them (they are other key ranges and index partitions).
"""
from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from chalicelib.agent_protocol import canonical
from chalicelib.core import keys
from chalicelib.host import credentials
from chalicelib.host import store as host_store
from chalicelib.inventory import service as inventory_service
from chalicelib.inventory import store as inventory_store
from chalicelib.realtime import agents as realtime_agents
from chalicelib.tenant.schemas import Tenant
from tests.factories.fleet import Agent, enrol, hashes_of, package
from tests.factories.identity import Session, login, make_tenant, make_user, sign_in

BENCH_PACKAGES = 1_500
SMALL_HOSTS = 10
SMALL_OTHER_PACKAGES = 300
LARGE_HOSTS = 10_000
LARGE_PACKAGES = 5_000
BENCH_HOST = "bench-01"
VIEWER, VIEWER_ROLE = "viewer", "user"  # a built-in role with fixed permissions: no role read per request
_WORDS = ("lib", "python3", "gnome", "x11", "perl", "ruby", "node", "golang", "fonts", "texlive", "linux", "systemd", "openssl", "gcc")


def bench_packages(count: int = BENCH_PACKAGES, *, outdated: int = 40, security: int = 8) -> list[dict[str, Any]]:
    """Packages as an apt agent reports them: Debian-like names, versions, repositories and descriptions."""
    rows = []
    for i in range(count):
        name = f"{_WORDS[i % len(_WORDS)]}-{i:04d}-utils"
        row = package(name, f"{1 + i % 7}.{i % 13}.{i % 5}-{1 + i % 3}+deb12u{i % 4}",
                      available=f"{1 + i % 7}.{i % 13}.{i % 5}-{2 + i % 3}+deb12u{i % 4}" if i < outdated else None, security=i < security)
        row["description"] = f"{name.replace('-', ' ')}: shared support files and command-line utilities for the Debian system"
        row["category"] = ("libs", "utils", "admin", "net", "devel", "python")[i % 6]
        row["sourceRepository"] = "bookworm-security" if i < security else "bookworm"
        rows.append(row)
    return rows


def changed(pkgs: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The same packages with the first `k` moved to a new installed version."""
    return [{**p, "currentVersion": p["currentVersion"] + "~bench1"} if i < k else p for i, p in enumerate(pkgs)]


METRICS = {"cpuCores": 4, "cpuModel": "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "ramInstalled": 15.619998931884766,
           "swapSize": 1.9999961853027344, "systemUptime": "12 days, 3 hours, 4 minutes", "bootTime": "2026-01-02T03:04:05Z",
           "loadAverage": [0.12, 0.2, 0.18], "needsReboot": False,
           "diskDetails": [{"name": "/dev/nvme0n1p1", "size": "48.41GB (12.30GB used, 36.11GB free, 25.4% used)", "mountpoint": "/"},
                           {"name": "/dev/nvme0n1p15", "size": "0.12GB (0.01GB used, 0.11GB free, 5.1% used)", "mountpoint": "/boot/efi"},
                           {"name": "/dev/nvme1n1", "size": "196.73GB (80.02GB used, 116.71GB free, 40.7% used)", "mountpoint": "/srv"}]}
IDENTITY = {"agentVersion": "1.5.0", "machineId": "4f8c1d2e9a7b4c3d8e1f2a3b4c5d6e7f", "osType": "Debian", "osVersion": "12",
            "architecture": "x86_64"}


def full_report(pkgs: list[dict[str, Any]], *, hostname: str) -> dict[str, Any]:
    """A full report as the official agent sends it (every section, the system facts, the hashes)."""
    report = {
        **IDENTITY, "packages": pkgs, "packageManager": "apt", "hostname": hostname, "ip": "10.0.12.34", "gatewayIp": "10.0.12.1",
        "dnsServers": ["10.0.0.2"], "kernelVersion": "6.1.0-18-cloud-amd64", "installedKernelVersion": "6.1.0-18-cloud-amd64",
        "selinuxStatus": "disabled", "executionTime": 2.31, "agentExecutionMs": 2310, "rebootReason": "",
        **METRICS,
        "repositories": [
            {"name": "bookworm", "url": "http://deb.debian.org/debian", "distribution": "bookworm", "components": "main",
             "repoType": "deb", "isEnabled": True, "isSecure": False},
            {"name": "bookworm-updates", "url": "http://deb.debian.org/debian", "distribution": "bookworm-updates",
             "components": "main", "repoType": "deb", "isEnabled": True, "isSecure": False},
            {"name": "bookworm-security", "url": "http://deb.debian.org/debian-security", "distribution": "bookworm-security",
             "components": "main", "repoType": "deb", "isEnabled": True, "isSecure": True}],
        "networkInterfaces": [
            {"name": "ens5", "type": "ethernet", "macAddress": "0A:1B:2C:3D:4E:5F", "mtu": 9001, "status": "up", "linkSpeed": 25000,
             "duplex": "full", "addresses": [{"address": "10.0.12.34", "family": "inet", "netmask": "/24", "gateway": "10.0.12.1"},
                                             {"address": "fe80::81b:2cff:fe3d:4e5f", "family": "inet6", "netmask": "/64", "gateway": ""}]},
            {"name": "docker0", "type": "bridge", "macAddress": "02:42:AC:11:00:01", "mtu": 1500, "status": "down",
             "addresses": [{"address": "172.17.0.1", "family": "inet", "netmask": "/16", "gateway": ""}]}],
    }
    return {**report, "hashes": hashes_of(report)}


def partial_packages_report(pkgs: list[dict[str, Any]]) -> dict[str, Any]:
    """The partial report the agent sends when the ping asked for `packages`: zero values in the other fields, as observed."""
    report = {**IDENTITY, "sections": ["packages"], "packages": pkgs, "packageManager": "apt", "hostname": "", "cpuCores": 0,
              "needsReboot": False, "repositories": None, "loadAverage": None, "agentExecutionMs": 1980}
    return {**report, "hashes": {"packagesHash": canonical.packages_hash(pkgs)}}


def ping_body(report: dict[str, Any]) -> dict[str, Any]:
    """The hourly check-in: the four hashes of what the agent collected, its metrics, its version."""
    return {"hashes": report["hashes"], "metrics": METRICS, "agentVersion": "1.5.0", "agentExecutionMs": 2290}


@dataclass
class Fleet:
    tenant: Tenant
    viewer: Session
    viewer_name: str
    hosts: int


@dataclass
class World:
    small: Fleet
    large: Fleet
    agent: Agent
    agent_hostname: str
    packages: list[dict[str, Any]]
    build_seconds: dict[str, float]
    active_agents: dict[str, list[str]]  # per fleet, api_ids of active hosts other than the bench host (for the status sweep)


def build(client: Any) -> World:
    """Build both fleets (see the module docstring)."""
    started = time.perf_counter()
    small_tenant = make_tenant("small")
    admin = sign_in(client, small_tenant, "admin", role="admin")
    pkgs = bench_packages()
    agent = _report_through_api(admin, BENCH_HOST, pkgs)
    others = [_report_through_api(admin, f"web-{n:02d}", pkgs[: SMALL_OTHER_PACKAGES]) for n in range(2, SMALL_HOSTS + 1)]
    small = Fleet(small_tenant, sign_in(client, small_tenant, VIEWER, role=VIEWER_ROLE), VIEWER, SMALL_HOSTS)
    small_seconds = time.perf_counter() - started

    # Everything written through a transaction comes first: moto copies the whole table on each one.
    large_tenant = make_tenant("large")
    viewer = make_user(large_tenant, VIEWER, role=VIEWER_ROLE)
    started = time.perf_counter()
    large_active = _write_large_fleet(large_tenant.tenant_id, small_tenant.tenant_id, agent)
    large_seconds = time.perf_counter() - started
    signed_in = login(client, large_tenant, VIEWER)
    assert signed_in.status_code == 200, signed_in.body
    large = Fleet(large_tenant, Session(client, large_tenant, signed_in.json_body["token"], signed_in.json_body["refresh_token"],
                                        viewer["user_id"]), VIEWER, LARGE_HOSTS)
    return World(small, large, agent, BENCH_HOST, pkgs, {"small fleet through the API": small_seconds,
                                                         "10,000-host fleet by batch writes": large_seconds},
                 {"small": [a.api_id for a in others], "large": large_active})


def _report_through_api(admin: Session, name: str, pkgs: list[dict[str, Any]]) -> Agent:
    agent = enrol(admin, name)
    assert agent.post("/hosts/ping").status_code == 200
    report = full_report(pkgs, hostname=name)
    response = agent.post("/hosts/update", report)
    assert response.status_code == 200, response.body
    # The steady state: the agent holds its WebSocket (so its check-ins need no offline watch), then checks in hourly.
    realtime_agents.open_connection(host_store.get_agent(agent.api_id), connection_id=f"bench-{name}", headers={})
    assert agent.post("/hosts/ping", ping_body(report)).status_code == 200  # the agent record as hourly check-ins leave it
    return agent


def _write_large_fleet(tenant_id: str, template_tenant: str, template_agent: Agent) -> list[str]:
    rng = random.Random(10_000)
    host_template = host_store.get(template_tenant, template_agent.host_id)
    agent_template = host_store.get_agent(template_agent.api_id)
    package_template = inventory_store.get(keys.package_key(template_tenant, bench_packages(1)[0]["name"]))
    assert host_template and agent_template and package_template
    hosts_pk = host_store.hosts_by_name_pk(tenant_id)
    items: list[dict[str, Any]] = []
    stats: Counter[str] = Counter()
    for i in range(LARGE_HOSTS):
        host_id, api_id, name = f"{i:08d}-0000-4000-8000-{rng.getrandbits(48):012x}", credentials.new_api_id(), f"srv-{i:05d}"
        updates = rng.choice((0, 0, 0, 3, 12, 40))
        host = {**host_template, "host_id": host_id, "api_id": api_id, "friendly_name": name, "hostname": name, "search_text": f"{name} {name}",
                "status": rng.choice(("active",) * 8 + ("offline", "pending")), "updates_count": updates,
                "security_count": rng.choice((0, updates // 4)), "needs_reboot": rng.random() < 0.1,
                "os_version": rng.choice(("11", "12", "12"))}
        pk, sk = keys.host_key(tenant_id, host_id)
        items.append({**host, "pk": pk, "sk": sk, "gsi1pk": hosts_pk, "gsi1sk": f"{name}#{host_id}"})
        agent_pk, agent_sk = keys.agent_key(api_id)
        items.append({**agent_template, "pk": agent_pk, "sk": agent_sk, "api_id": api_id, "tenant_id": tenant_id, "host_id": host_id,
                      "friendly_name": name, "status": host["status"]})
        stats.update(inventory_service.fleet_delta({}, host))
    for i in range(LARGE_PACKAGES):
        name = f"{_WORDS[i % len(_WORDS)]}-{i:05d}-{rng.choice(('common', 'utils', 'dev', 'data', 'bin'))}"
        pk, sk = keys.package_key(tenant_id, name)
        installed = rng.randint(1, LARGE_HOSTS)
        outdated = rng.choice((0, 0, 0, rng.randint(0, installed)))
        items.append({**package_template, "pk": pk, "sk": sk, "name": name, "installed_hosts": installed, "outdated_hosts": outdated,
                      "security_hosts": rng.choice((0, outdated // 5))})
    inventory_store.write_items(items, [])
    stats_pk, stats_sk = keys.fleet_stats_key(tenant_id)
    inventory_store.add_counters([((stats_pk, stats_sk), {"hosts_total": LARGE_HOSTS, **stats}, {})])
    return [i["api_id"] for i in items if i["sk"] == "AGENT" and i["status"] == "active"]
