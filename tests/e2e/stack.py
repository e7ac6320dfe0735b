"""Start and stop the real local stack (`python -m infra.local`) as a subprocess, for end-to-end tests."""
from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import boto3
import httpx

ROOT = pathlib.Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float, what: str, *, interval: float = 0.25) -> Any:
    """Return `condition()`'s first truthy value, polling until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStackProcess:
    """One local stack process with short timeouts, its own data directory and known ports."""

    def __init__(self, data_dir: pathlib.Path, env: dict[str, str] | None = None, **flags: Any) -> None:
        self.data_dir = data_dir
        self.extra_env = env or {}
        self.port = free_port()
        self.moto_port = free_port()
        # Idle timeout short enough to test, long enough that a delayed push (2 s + polling) lands first.
        self.flags = {"ws-idle-timeout": 6, "queue-visibility-timeout": 1, "snapshot-interval": 1, **flags}
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / "stack.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def start(self, timeout: float = 60) -> None:
        args = [sys.executable, "-m", "infra.local", "--host", "127.0.0.1", "--port", str(self.port),
                "--moto-port", str(self.moto_port), "--data-dir", str(self.data_dir)]
        for name, value in self.flags.items():
            args += [f"--{name}", str(value)]
        env = {**os.environ, "PATCHMON_LOG_LEVEL": "INFO", **self.extra_env}
        for name in ("AWS_ENDPOINT_URL", "POWERTOOLS_SERVICE_NAME"):
            env.pop(name, None)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 (owned by the process)
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"local stack exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"local stack not healthy within {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 30) -> int:
        """Stop with Ctrl-C (SIGINT), as a user would; return the exit code."""
        assert self.process
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def setup_admin(self, username: str = "admin", password: str = "Adm1n-Passw0rd!") -> str:
        """Complete first-time setup of the default tenant and return the admin's access token."""
        response = httpx.post(f"{self.url}/api/v1/auth/setup-admin",
                              json={"username": username, "email": f"{username}@example.com", "password": password})
        if response.status_code == 409:  # already set up (a restarted stack): sign in instead
            response = httpx.post(f"{self.url}/api/v1/auth/login", json={"username": username, "password": password})
        response.raise_for_status()
        return response.json()["token"]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def aws_client(self, service: str) -> Any:
        """A client of the stack's embedded AWS (what the app itself talks to)."""
        return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{self.moto_port}",
                            aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106

    def queue_url(self, logical: str) -> str:
        return self.aws_client("sqs").get_queue_url(QueueName=f"patchmon-dev-{logical}")["QueueUrl"]
