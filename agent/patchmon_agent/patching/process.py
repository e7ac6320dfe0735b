"""One command of a patch run as a real process: its own process group, stdout and stderr merged.

The output is read on a thread into a queue, so the caller can wait for output, a stop request and
a deadline at the same time. Signals go to the whole group, so the package manager's children
(dpkg, scriptlets) are interrupted too.
"""
from __future__ import annotations

import codecs
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from patchmon_agent.patching.stream import OutputStream

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


STOPPED, TIMED_OUT = "stopped", "timed out"
POLL_SECONDS = 0.05


@dataclass
class StepResult:
    """How a streamed command ended: its output and exit status, or why it was interrupted or never started."""

    output: str = ""
    returncode: int | None = None
    ending: str | None = None  # STOPPED or TIMED_OUT
    start_error: str | None = None


def run_streamed(argv: Sequence[str], env: Mapping[str, str], *, name: str, stream: OutputStream, stop: threading.Event,
                 deadline: float, clock: Callable[[], float], grace_seconds: float, drain_seconds: float) -> StepResult:
    """Run argv (`name` is its program, for messages), its output written to `stream` as it comes.

    SIGINT to the group on `stop` or at `deadline`, SIGKILL `grace_seconds` later.
    """
    try:
        process = StepProcess(argv, env)
    except OSError as exc:
        stream.flush()
        return StepResult(start_error=f"could not start {name}: {exc.strerror or exc}")
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    parts: list[str] = []
    result = StepResult()
    signalled_at = exited_at = None
    killed = False
    while True:
        text = decoder.decode(process.read(POLL_SECONDS))
        if text:
            parts.append(text)
            stream.write(text)
        stream.tick()
        now = clock()
        returncode = process.poll()
        if returncode is not None:
            if process.eof:
                break
            exited_at = exited_at if exited_at is not None else now
            if now - exited_at >= drain_seconds:  # a child it left behind holds the output open
                break
        elif result.ending is None and (stop.is_set() or now >= deadline):
            result.ending = STOPPED if stop.is_set() else TIMED_OUT
            process.interrupt()
            signalled_at = now
        elif signalled_at is not None and not killed and now - signalled_at >= grace_seconds:
            process.kill()
            killed = True
    parts.append(decoder.decode(b"", final=True))
    stream.write(parts[-1])
    stream.flush()
    result.output, result.returncode = "".join(parts), returncode
    return result


def run_captured(argv: Sequence[str], *, timeout: float) -> tuple[int, str]:
    """Run a short command in the C locale; (exit status, stdout and stderr), 127 when it cannot start, 124 on timeout."""
    try:
        done = subprocess.run(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, "LC_ALL": "C"}, timeout=timeout, check=False)
    except OSError as exc:
        return 127, f"could not start {argv[0]}: {exc.strerror or exc}\n"
    except subprocess.TimeoutExpired:
        return 124, f"{argv[0]} timed out after {timeout:g} seconds\n"
    return done.returncode, done.stdout.decode("utf-8", errors="replace")
