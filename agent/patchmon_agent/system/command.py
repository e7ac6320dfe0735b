"""Run the few external commands the system collector needs: argv only, no shell, C locale, bounded time."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from typing import NamedTuple

NOT_FOUND = 127
TIMED_OUT = 124
NOT_EXECUTABLE = 126


class CommandResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str], float], CommandResult]


def default_runner(argv: Sequence[str], timeout: float) -> CommandResult:
    """Run argv with LC_ALL=C and a timeout; a missing command answers 127 and a timeout 124, never an exception."""
    env = dict(os.environ, LC_ALL="C", LANG="C")
    try:
        done = subprocess.run(list(argv), capture_output=True, encoding="utf-8", errors="replace", timeout=timeout,
                              stdin=subprocess.DEVNULL, env=env, check=False)
    except FileNotFoundError as exc:
        return CommandResult(NOT_FOUND, "", str(exc))
    except PermissionError as exc:
        return CommandResult(NOT_EXECUTABLE, "", str(exc))
    except subprocess.TimeoutExpired:
        return CommandResult(TIMED_OUT, "", f"timed out after {timeout:g}s")
    except OSError as exc:
        return CommandResult(NOT_EXECUTABLE, "", str(exc))
    return CommandResult(done.returncode, done.stdout, done.stderr)
