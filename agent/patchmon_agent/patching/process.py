"""One command of a patch run as a real process: its own process group, stdout and stderr merged.

The output is read on a thread into a queue, so the caller can wait for output, a stop request and
a deadline at the same time. Signals go to the whole group, so the package manager's children
(dpkg, scriptlets) are interrupted too.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence

READ_SIZE = 64 * 1024


class StepProcess:
    """A started command; raises OSError from the constructor when it cannot be started."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self.popen = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      env=dict(env), start_new_session=True)
        self.eof = False
        self._chunks: queue.Queue[bytes | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_all, name="patch-output", daemon=True)
        self._reader.start()

    def _read_all(self) -> None:
        assert self.popen.stdout is not None
        fd = self.popen.stdout.fileno()
        try:
            while True:
                data = os.read(fd, READ_SIZE)
                if not data:
                    break
                self._chunks.put(data)
        except OSError:
            pass
        finally:
            self._chunks.put(None)

    def read(self, timeout: float) -> bytes:
        """Output that arrived within `timeout` seconds (b"" if none); after end of output, wait for the exit instead."""
        if self.eof:
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            return b""
        try:
            data = self._chunks.get(timeout=timeout)
        except queue.Empty:
            return b""
        if data is None:
            self.eof = True
            self.popen.stdout.close()  # type: ignore[union-attr]
            return b""
        return data

    def poll(self) -> int | None:
        return self.popen.poll()

    def interrupt(self) -> None:
        """SIGINT to the process group (Ctrl-C: package managers stop at a safe point)."""
        self._signal(signal.SIGINT)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.popen.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already
