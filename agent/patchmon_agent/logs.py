"""The agent's log: a size-bounded rotating file (0600), secrets redacted, control characters escaped.

Format, as the official agent's: `2026-02-12T10:30:00 level=info msg="report sent" packages=712`.
Keys come from `extra=` on the logging call. Nothing goes to stdout; stderr only when the log file
cannot be opened (so a failing service still leaves a trace in the journal).
"""
from __future__ import annotations

import contextlib
import gzip
import logging
import logging.handlers
import os
import pathlib
import shutil
import sys
import time
from typing import Any

from patchmon_agent import files

LOGGER_NAME = "patchmon_agent"
MAX_BYTES = 10 * 1024 * 1024
BACKUP_COUNT = 5
MAX_AGE_SECONDS = 14 * 24 * 3600
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "warning": logging.WARNING, "error": logging.ERROR}
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}
_secrets: set[str] = set()

log = logging.getLogger(LOGGER_NAME)


def register_secret(value: str) -> None:
    """Never let `value` (an API key) reach a log line."""
    if value and len(value) >= 4:
        _secrets.add(value)


def _redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[redacted]")
    return text


def _escape_controls(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return "".join(out)


def sanitize(value: Any) -> str:
    """Escape control characters and redact secrets in a value that came from outside."""
    return _escape_controls(_redact(str(value)))


def _quote(value: Any) -> str:
    text = _redact(str(value))
    if text and not any(c in text for c in ' "=\\') and text.isprintable():
        return text
    return '"' + _escape_controls(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


class KeyValueFormatter(logging.Formatter):
    """`<local time> level=<level> msg="<message>" key=value ...`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
        level = {"WARNING": "warning", "CRITICAL": "fatal"}.get(record.levelname, record.levelname.lower())
        parts = [stamp, f"level={level}", f"msg={_quote(record.getMessage())}"]
        parts += [f"{key}={_quote(value)}" for key, value in record.__dict__.items() if key not in _STANDARD and not key.startswith("_")]
        if record.exc_info:
            parts.append(f"error={_quote(self.formatException(record.exc_info))}")
        return " ".join(parts)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler whose files are 0600, whose backups are gzipped and pruned after 14 days."""

    def __init__(self, filename: str, max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT) -> None:
        super().__init__(filename, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=False)
        self.namer = lambda name: name + ".gz"
        self.rotator = self._gzip

    def _open(self):  # noqa: ANN202 (signature of the base class)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, files.PRIVATE_FILE)
        with contextlib.suppress(OSError):
            os.fchmod(fd, files.PRIVATE_FILE)  # an older, wider file is narrowed
        return open(fd, "a", encoding=self.encoding)  # noqa: SIM115 (owned by the handler)

    def _gzip(self, source: str, dest: str) -> None:
        with open(source, "rb") as raw, gzip.open(dest, "wb") as packed:
            shutil.copyfileobj(raw, packed)
        os.chmod(dest, files.PRIVATE_FILE)
        os.remove(source)
        self._prune()

    def _prune(self) -> None:
        cutoff = time.time() - MAX_AGE_SECONDS
        for old in pathlib.Path(self.baseFilename).parent.glob(pathlib.Path(self.baseFilename).name + ".*.gz"):
            with contextlib.suppress(OSError):
                if old.stat().st_mtime < cutoff:
                    old.unlink()


def level_of(name: str | None) -> int:
    """The logging level for a config or flag value (info when unknown)."""
    return LEVELS.get((name or "info").strip().lower(), logging.INFO)


def setup(log_file: str | None, level: str | None = "info", *, stderr: bool = False) -> logging.Logger:
    """Send the agent's log to `log_file` (directory created 0700); fall back to stderr if it cannot be opened."""
    log.handlers.clear()
    log.propagate = False
    log.setLevel(level_of(level))
    formatter = KeyValueFormatter()
    if log_file:
        try:
            files.ensure_dir(pathlib.Path(log_file).parent)
            handler: logging.Handler = PrivateRotatingFileHandler(log_file)
            handler.setFormatter(formatter)
            log.addHandler(handler)
        except OSError as exc:
            sys.stderr.write(f"patchmon-agent: cannot open log file {log_file}: {exc}; logging to stderr\n")
            stderr = True
    if stderr:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(formatter)
        log.addHandler(console)
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


def tail(log_file: str, lines: int = 10) -> list[str]:
    """The last `lines` lines of the log file ([] if there is none)."""
    try:
        with open(log_file, "rb") as source:
            source.seek(0, os.SEEK_END)
            size = source.tell()
            source.seek(max(size - 64 * 1024, 0))
            data = source.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return data.splitlines()[-lines:]
