"""Settings of the local stack, from the environment (PATCHMON_*) and command-line flags."""
from __future__ import annotations

import argparse
import os
import pathlib
from dataclasses import dataclass


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class LocalConfig:
    host: str
    port: int
    data_dir: pathlib.Path
    stage: str
    ws_idle_timeout: float
    ws_max_duration: float
    ws_answer_pings: bool
    ws_disconnect_drop_rate: float
    queue_visibility_timeout: int | None
    snapshot_interval: float
    frontend_dir: pathlib.Path
    persist: bool
    moto_port: int


def parse(argv: list[str] | None = None) -> LocalConfig:
    """Parse flags; each flag defaults to its PATCHMON_* environment variable."""
    root = pathlib.Path(__file__).resolve().parents[2]
    p = argparse.ArgumentParser(prog="python -m infra.local", description="Run PatchMon Cloud on this machine with embedded AWS.")
    p.add_argument("--host", default=_env("PATCHMON_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(_env("PATCHMON_PORT", "8000")))
    p.add_argument("--data-dir", type=pathlib.Path, default=pathlib.Path(_env("PATCHMON_DATA_DIR", str(root / ".local"))))
    p.add_argument("--stage", default=_env("PATCHMON_STAGE", "dev"))
    p.add_argument("--ws-idle-timeout", type=float, default=float(_env("PATCHMON_WS_IDLE_TIMEOUT", "600")))
    p.add_argument("--ws-max-duration", type=float, default=float(_env("PATCHMON_WS_MAX_DURATION", "7200")))
    p.add_argument("--ws-answer-pings", action="store_true", default=_bool(_env("PATCHMON_WS_ANSWER_PINGS", "false")))
    p.add_argument("--ws-disconnect-drop-rate", type=float, default=float(_env("PATCHMON_WS_DISCONNECT_DROP_RATE", "0")))
    p.add_argument("--queue-visibility-timeout", type=int, default=int(_env("PATCHMON_QUEUE_VISIBILITY_TIMEOUT", "0")) or None,
                   help="override every queue's visibility timeout (seconds), for tests")
    p.add_argument("--snapshot-interval", type=float, default=float(_env("PATCHMON_SNAPSHOT_INTERVAL", "10")))
    frontend_env = _env("PATCHMON_FRONTEND_DIR", "")
    p.add_argument("--frontend-dir", type=pathlib.Path, default=pathlib.Path(frontend_env) if frontend_env else None)
    p.add_argument("--no-persist", dest="persist", action="store_false", default=not _bool(_env("PATCHMON_NO_PERSIST", "false")))
    p.add_argument("--moto-port", type=int, default=int(_env("PATCHMON_MOTO_PORT", "0")), help="port of the embedded AWS (0: any free port)")
    a = p.parse_args(argv)
    frontend = a.frontend_dir or _default_frontend(root)
    return LocalConfig(a.host, a.port, a.data_dir, a.stage, a.ws_idle_timeout, a.ws_max_duration, a.ws_answer_pings,
                       a.ws_disconnect_drop_rate, a.queue_visibility_timeout, a.snapshot_interval, frontend, a.persist, a.moto_port)


def _default_frontend(root: pathlib.Path) -> pathlib.Path:
    built = root / "frontend" / "dist"
    return built if (built / "index.html").exists() else root / "frontend" / "placeholder"
