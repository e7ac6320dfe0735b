"""Builders for hosts and agent payloads (wire format of the PatchMon agent protocol v1)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.agent_protocol import canonical
from tests.factories.identity import Session, host_of


def package(name: str, version: str = "1.0", *, available: str | None = None, security: bool = False) -> dict[str, Any]:
    return {"name": name, "description": f"{name} package", "category": "utils", "currentVersion": version,
            "availableVersion": available or "", "needsUpdate": available is not None, "isSecurityUpdate": security,
            "sourceRepository": "jammy-updates"}


def packages(count: int, *, outdated: int = 0, security: int = 0) -> list[dict[str, Any]]:
    return [package(f"pkg-{i:05d}", "1.0", available="1.1" if i < outdated else None, security=i < security) for i in range(count)]


REPOS = [{"name": "ubuntu-main", "url": "http://archive.ubuntu.com/ubuntu", "distribution": "jammy", "components": "main",
          "repoType": "deb", "isEnabled": True, "isSecure": False}]
INTERFACES = [{"name": "eth0", "type": "ethernet", "macAddress": "AA:BB:CC:00:11:22", "mtu": 1500, "status": "up",
               "addresses": [{"address": "10.0.0.5", "family": "inet", "netmask": "/24", "gateway": "10.0.0.1"}]}]


def full_report(pkgs: list[dict[str, Any]], *, hostname: str = "web-01", needs_reboot: bool = False) -> dict[str, Any]:
    return {"packages": pkgs, "repositories": REPOS, "osType": "Ubuntu", "osVersion": "22.04", "hostname": hostname, "ip": "10.0.0.5",
            "architecture": "x86_64", "agentVersion": "1.5.0", "kernelVersion": "5.15.0-91-generic", "networkInterfaces": INTERFACES,
            "needsReboot": needs_reboot, "rebootReason": "kernel update" if needs_reboot else "", "packageManager": "apt",
            "executionTime": 1.25, "ramInstalled": 3.8, "loadAverage": [0.1, 0.2, 0.3]}


def hashes_of(report: dict[str, Any]) -> dict[str, str]:
    return {"packagesHash": canonical.packages_hash(report["packages"]), "reposHash": canonical.repos_hash(report["repositories"]),
            "interfacesHash": canonical.interfaces_hash(report["networkInterfaces"]), "hostnameHash": canonical.hostname_hash(report["hostname"])}


@dataclass
class Agent:
    """A simulated agent speaking to the app through the Chalice test client."""

    client: Any
    api_id: str
    api_key: str
    host_id: str
    host: str = "localhost"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Host": self.host, "X-API-ID": self.api_id, "X-API-KEY": self.api_key, "Content-Type": "application/json", **extra}

    def get(self, path: str):
        return self.client.http.get(f"/api/v1{path}", headers=self.headers())

    def post(self, path: str, body: Any = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return self.client.http.post(f"/api/v1{path}", headers=self.headers(), body=data)


def enrol(admin: Session, name: str = "web-01", **extra: Any) -> Agent:
    created = admin.post("/api/v1/hosts/create", {"friendly_name": name, **extra})
    assert created.status_code == 201, created.body
    body = created.json_body
    return Agent(admin.client, body["apiId"], body["apiKey"], body["hostId"], host_of(admin.tenant))
