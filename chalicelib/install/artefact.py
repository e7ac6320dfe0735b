"""Our agent's build: a deterministic zipapp (`patchmon-agent.pyz`) run by the host's python3.

The same agent source always gives the same bytes (sorted entries, 1980-01-01 timestamps, fixed
permissions), so the SHA-256 that the version endpoint advertises can be reproduced anywhere from the
same commit. At runtime the build comes from `AGENT_ARTEFACT_PATH` (a prebuilt .pyz shipped with the
Lambda package, where the repository's `agent/` directory is not present) or, failing that, is built
once per process from the repository's `agent/` directory.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import io
import os
import pathlib
import stat
import sys
import zipfile
from dataclasses import dataclass

from chalicelib.core.observability import logger

PACKAGE = "patchmon_agent"
FILENAME = "patchmon-agent.pyz"
SHEBANG = b"#!/usr/bin/env python3\n"
ENTRY_POINT = f"import sys\n\nfrom {PACKAGE}.__main__ import main\n\nsys.exit(main())\n"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = stat.S_IFREG | 0o644
# The repository's agent/ directory; absent from the Lambda package (only app.py and chalicelib/ are packaged).
SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2] / "agent"
# Read here rather than in core.settings: optional, and only the install routes need it.
ARTEFACT_PATH_ENV = "AGENT_ARTEFACT_PATH"


@dataclass(frozen=True)
class Artefact:
    """The bytes served by the download endpoint, their SHA-256 (hex) and the agent version inside."""

    data: bytes
    sha256: str
    version: str

    @classmethod
    def of(cls, data: bytes) -> Artefact:
        """Describe a built zipapp: hash it and read the version from its package."""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            version = version_of(archive.read(f"{PACKAGE}/__init__.py").decode())
        return cls(data=data, sha256=hashlib.sha256(data).hexdigest(), version=version)


def version_of(init_source: str) -> str:
    """Return the `__version__` string assigned in a package's __init__.py (without importing it)."""
    for node in ast.parse(init_source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    raise ValueError("the agent package declares no __version__")


def _sources(source_dir: pathlib.Path) -> list[tuple[str, bytes]]:
    package = source_dir / PACKAGE
    if not (package / "__init__.py").is_file():
        raise FileNotFoundError(f"no agent package at {package}")
    files = []
    seen: set[str] = set()
    # os.walk with followlinks: patchmon_agent/protocol is a link to chalicelib/agent_protocol (one
    # implementation for server and agent) and must be in the build under its link name.
    for directory, subdirs, names in os.walk(package, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen:  # a link loop: walk each real directory once
            subdirs[:] = []
            continue
        seen.add(real)
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__" and not d.startswith("."))
        for name in names:
            path = pathlib.Path(directory) / name
            relative = path.relative_to(source_dir)
            if path.is_file() and path.suffix not in (".pyc", ".pyo") and not name.startswith("."):
                files.append((relative.as_posix(), path.read_bytes()))
    return sorted(files)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the permission bits below are honoured
    info.external_attr = FILE_MODE << 16
    return info


def build(source_dir: pathlib.Path = SOURCE_DIR) -> Artefact:
    """Build the agent's zipapp from `source_dir` (the directory holding `patchmon_agent/`)."""
    buffer = io.BytesIO()
    buffer.write(SHEBANG)
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_entry("__main__.py"), ENTRY_POINT.encode(), compresslevel=9)
        for name, content in _sources(source_dir):
            archive.writestr(_entry(name), content, compresslevel=9)
    return Artefact.of(buffer.getvalue())


@functools.lru_cache(maxsize=4)
def _load(prebuilt: str | None, source_dir: pathlib.Path) -> Artefact | None:
    try:
        if prebuilt:
            return Artefact.of(pathlib.Path(prebuilt).read_bytes())
        return build(source_dir)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        logger.warning("agent build not available", extra={"reason": type(exc).__name__, "prebuilt": bool(prebuilt)})
        return None


def current() -> Artefact | None:
    """Return the agent build this process serves, or None when there is none."""
    return _load(os.environ.get(ARTEFACT_PATH_ENV, "").strip() or None, SOURCE_DIR)


def reset_cache() -> None:
    """Forget the loaded build (tests switch sources)."""
    _load.cache_clear()


def main(argv: list[str]) -> int:
    """`python -m chalicelib.install.artefact OUT`: write the build to OUT and print its version and SHA-256."""
    if len(argv) != 1:
        sys.stderr.write("usage: python -m chalicelib.install.artefact OUT.pyz\n")
        return 2
    artefact = build()
    out = pathlib.Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(artefact.data)
    out.chmod(0o755)
    sys.stdout.write(f"{out} {artefact.version} sha256:{artefact.sha256}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
