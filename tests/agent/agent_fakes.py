"""Fakes for the agent's core tests: an API that records calls, a host whose inventory a test edits, a tiny HTTP server."""
from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from patchmon_agent import logs
from patchmon_agent.report import Collectors


@pytest.fixture(autouse=True)
def reset_agent_logger():
    """Give each test the agent logger as pytest left it (propagating to caplog), whatever `logs.setup` did before."""
    yield
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
        handler.close()
    logs.log.propagate = True
    logs.log.setLevel("NOTSET")
    logs._secrets.clear()


@dataclass
class Call:
    method: str
    path: str
    body: Any = None
    query: dict[str, Any] | None = None


class FakeApi:
    """Stands in for ApiClient: answers from `responses[(method, path)]` (a value, a callable of the body, or an exception)."""

    def __init__(self, responses: dict[tuple[str, str], Any] | None = None) -> None:
        self.responses = {("GET", "/settings/update-interval"): {"updateInterval": 60},
                          ("GET", "/hosts/integrations"): {"success": True, "integrations": {"docker": False, "compliance": False}},
                          ("POST", "/hosts/ping"): {"message": "Ping successful", "hashGate": True},
                          ("POST", "/hosts/update"): {"message": "Host updated successfully", "packagesProcessed": 0},
                          ("POST", "/hosts/integration-status"): {"success": True},
                          **(responses or {})}
        self.calls: list[Call] = []
        self.verify_tls = True

    def _answer(self, method: str, path: str, body: Any, query: dict[str, Any] | None) -> Any:
        self.calls.append(Call(method, path, copy.deepcopy(body), query))
        answer = self.responses.get((method, path), {})
        if callable(answer):
            answer = answer(body)
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer)

    def get(self, path: str, query: dict[str, Any] | None = None, *, fixed_v1: bool = False) -> Any:
        return self._answer("GET", path, None, query)

    def post(self, path: str, body: Any = None) -> Any:
        return self._answer("POST", path, body, None)

    def download(self, path: str, query: dict[str, Any] | None = None, **_options: Any) -> bytes:
        return self._answer("GET", path, None, query)

    def bodies(self, method: str, path: str) -> list[Any]:
        return [c.body for c in self.calls if (c.method, c.path) == (method, path)]

    def paths(self) -> list[str]:
        return [f"{c.method} {c.path}" for c in self.calls]


@dataclass
class Packages:
    manager: str
    packages: list[dict[str, Any]]
    held: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def package(name: str, version: str = "1.0", available: str | None = None, security: bool = False) -> dict[str, Any]:
    return {"name": name, "description": f"{name} package", "currentVersion": version, "availableVersion": available or "",
            "needsUpdate": available is not None, "isSecurityUpdate": security, "sourceRepository": "bookworm/main"}


class FakeHost:
    """A host whose inventory a test changes between check-ins."""

    def __init__(self, packages: int = 3) -> None:
        self.packages = [package(f"pkg-{i}") for i in range(packages)]
        self.repositories = [{"name": "debian", "url": "http://deb.debian.org/debian", "distribution": "bookworm", "components": "main",
                              "repoType": "deb", "isEnabled": True, "isSecure": False}]
        self.system: dict[str, Any] = {
            "osType": "Debian GNU/Linux", "osVersion": "12 (bookworm)", "hostname": "web-01", "ip": "10.0.0.5", "architecture": "x86_64",
            "kernelVersion": "6.1.0-18-amd64", "machineId": "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4", "selinuxStatus": "disabled",
            "systemUptime": "3 days, 2 hours, 5 minutes", "loadAverage": [0.1, 0.2, 0.3], "cpuModel": "Test CPU", "cpuCores": 2,
            "ramInstalled": 3.8, "swapSize": 1.0, "diskDetails": [{"name": "/dev/sda1", "size": "10.00GB", "mountpoint": "/"}],
            "gatewayIp": "10.0.0.1", "dnsServers": ["10.0.0.1"], "needsReboot": False, "rebootReason": "",
            "networkInterfaces": [{"name": "eth0", "type": "ethernet", "macAddress": "AA:BB:CC:00:11:22", "mtu": 1500, "status": "up",
                                   "addresses": [{"address": "10.0.0.5", "family": "inet", "netmask": "/24", "gateway": "10.0.0.1"}]}],
        }
        self.collections = 0

    def collectors(self) -> Collectors:
        def packages() -> Packages:
            self.collections += 1
            return Packages("apt", copy.deepcopy(self.packages))

        return Collectors(packages=packages, repositories=lambda: copy.deepcopy(self.repositories), system=lambda: copy.deepcopy(self.system))


class FakeServer:
    """A real HTTP server on 127.0.0.1 answering `routes[(method, path)] = (status, body)`; records every request."""

    def __init__(self, routes: dict[tuple[str, str], Any] | None = None) -> None:
        self.routes: dict[tuple[str, str], Any] = dict(routes or {})
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                server.requests.append({"method": self.command, "path": path, "query": self.path.partition("?")[2],
                                        "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                answer = server.routes.get((self.command, path), (404, {"error": "Not found"}))
                if isinstance(answer, list):  # a sequence of answers, the last one repeated
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                status, payload = answer[0], answer[1]
                headers = answer[2] if len(answer) > 2 else {}
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.requests]


def free_port() -> int:
    """A local port nothing listens on (just released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
