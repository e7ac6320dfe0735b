"""Atomic, private file writes: a temporary file in the same directory, fsync, rename, fsync the directory."""
from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_dir(path: pathlib.Path, mode: int = PRIVATE_DIR) -> None:
    """Create `path` and its missing parents with `mode`; existing directories keep theirs."""
    path = pathlib.Path(path)
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=mode, exist_ok=True)


def atomic_write(path: pathlib.Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Replace `path` with `data` so a reader sees the old or the new file, never a partial one."""
    path = pathlib.Path(path)
    ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}-", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # before any byte is written: the secret is never readable by others
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: pathlib.Path) -> None:
    """Persist a rename in `path` (best effort: some filesystems refuse to open directories)."""
    with contextlib.suppress(OSError):
        fd = os.open(str(path), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
