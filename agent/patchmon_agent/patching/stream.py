"""The output of a patch run: kept whole for the final stage, and sent on in chunks while it runs.

A chunk goes out when ≥ `flush_bytes` are waiting, when the oldest waiting text is `flush_seconds` old
(the caller ticks), and at every command boundary (the caller flushes). Chunks are posted in order by
a sender thread, so a slow or failing server never holds up the command, its stop or its deadline;
a chunk that cannot be posted is logged and dropped (the final stage carries the whole text anyway).
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from patchmon_agent.logs import log

MAX_CHUNK_CHARS = 32 * 1024  # the server keeps chunks of up to 64 KiB


class OutputStream:
    """Collects text and hands it to `send` in chunks, on a thread of its own."""

    def __init__(self, send: Callable[[str], object], *, flush_bytes: int = 1024, flush_seconds: float = 0.25,
                 clock: Callable[[], float] = time.monotonic, run_id: str = "") -> None:
        self.send = send
        self.flush_bytes = flush_bytes
        self.flush_seconds = flush_seconds
        self.clock = clock
        self.run_id = run_id
        self._parts: list[str] = []
        self._pending: list[str] = []
        self._pending_size = 0
        self._pending_since = 0.0
        self._outbox: queue.Queue[str | None] = queue.Queue()
        self._abandoned = threading.Event()
        self._sender = threading.Thread(target=self._send_all, name="patch-output-sender", daemon=True)
        self._sender.start()

    @property
    def text(self) -> str:
        """Everything written so far."""
        return "".join(self._parts)

    def write(self, text: str) -> None:
        if not text:
            return
        if not self._pending:
            self._pending_since = self.clock()
        self._parts.append(text)
        self._pending.append(text)
        self._pending_size += len(text)
        if self._pending_size >= self.flush_bytes:
            self.flush()

    def tick(self) -> None:
        """Flush when the waiting text is old enough."""
        if self._pending and self.clock() - self._pending_since >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        chunk = "".join(self._pending)
        self._pending, self._pending_size = [], 0
        for start in range(0, len(chunk), MAX_CHUNK_CHARS):
            self._outbox.put(chunk[start:start + MAX_CHUNK_CHARS])

    def close(self, timeout: float = 60.0) -> None:
        """Send what is left and wait (up to `timeout`) for the sender; chunks still waiting after that are dropped."""
        self.flush()
        self._outbox.put(None)
        self._sender.join(timeout)
        if self._sender.is_alive():
            self._abandoned.set()  # no chunk may reach the server after the final stage
            log.warning("patch output chunks dropped: the server is too slow", extra={"patch_run_id": self.run_id})

    def _send_all(self) -> None:
        while True:
            chunk = self._outbox.get()
            if chunk is None or self._abandoned.is_set():
                return
            try:
                self.send(chunk)
            except Exception as exc:
                log.warning("patch output chunk not sent", extra={"patch_run_id": self.run_id, "error": str(exc)})
