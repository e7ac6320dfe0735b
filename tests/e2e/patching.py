"""Driving patch runs on a running local stack over HTTP, and following their live log as a browser does."""
from __future__ import annotations

import json
import threading
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.e2e.stack import LocalStackProcess, wait_for


def api(stack: LocalStackProcess, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{stack.url}/api/v1{path}", headers={"Authorization": f"Bearer {stack.token}"}, timeout=30, **kwargs)


def run(stack: LocalStackProcess, run_id: str) -> dict[str, Any]:
    response = api(stack, "GET", f"/patching/runs/{run_id}")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_status(stack: LocalStackProcess, run_id: str, statuses: tuple[str, ...], timeout: float = 120) -> dict[str, Any]:
    return wait_for(lambda: (r := run(stack, run_id))["status"] in statuses and r, timeout, f"run {run_id} to be one of {statuses}")


class LiveLog:
    """A browser's subscription to a run's live log over the real WebSocket; collects every message until `done`."""

    def __init__(self, stack: LocalStackProcess, run_id: str) -> None:
        ticket = api(stack, "POST", "/ws/tickets").json()["ticket"]
        self.messages: list[dict[str, Any]] = []
        self.done = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(f"{stack.ws_url}?ticket={ticket}", run_id), daemon=True)
        self._thread.start()

    def _read(self, url: str, run_id: str) -> None:
        try:
            with connect(url, open_timeout=10) as ws:
                ws.send(json.dumps({"action": "subscribe_patch_run", "patch_run_id": run_id}))
                while not self._closing.is_set():
                    try:
                        message = json.loads(ws.recv(timeout=0.5))
                    except TimeoutError:
                        continue
                    if message.get("type") == "connected":
                        continue
                    self.messages.append(message)
                    if message.get("type") in ("done", "error"):
                        return
        except Exception:  # noqa: BLE001 - the socket closed; what arrived is in self.messages
            pass
        finally:
            self.done.set()

    def text(self) -> str:
        """The output as a browser shows it: the snapshot, then the chunks it did not already hold."""
        shown, seq = "", 0
        for message in self.messages:
            if message["type"] == "snapshot":
                shown, seq = message["shell_output"], message["seq"]
            elif message["type"] == "chunk" and message["seq"] > seq:
                shown, seq = shown + message["chunk"], message["seq"]
        return shown

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
