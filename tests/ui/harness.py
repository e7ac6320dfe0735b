"""What the browser tests share: where Chromium and the built app are, screenshots per step, console-error capture."""
from __future__ import annotations

import contextlib
import os
import pathlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page

from tests.e2e.stack import ROOT, LocalStackProcess

CHROMIUM = pathlib.Path("/usr/bin/chromium")  # Debian's package: `playwright install` cannot download its own build here
ARTIFACTS = ROOT / "build" / "ui-artifacts"
# The built web app; PATCHMON_FRONTEND_DIR (which the local stack reads too) points elsewhere.
FRONTEND = pathlib.Path(os.environ.get("PATCHMON_FRONTEND_DIR") or ROOT / "frontend" / "dist")
APP_BUILT = (FRONTEND / "index.html").exists()
TRACE = os.environ.get("PATCHMON_UI_TRACE", "").lower() in ("1", "true", "yes", "on")

needs_app = pytest.mark.skipif(not APP_BUILT, reason=f"{FRONTEND}/index.html is missing: build the web app first (make frontend)")


@dataclass(frozen=True)
class Account:
    username: str
    password: str

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


ADMIN = Account("admin", "Adm1n-Passw0rd!")


def new_stack(data_dir: pathlib.Path, env: dict[str, str] | None = None) -> LocalStackProcess:
    """A local stack (not started) serving the built app, or the placeholder when there is none."""
    # A long WebSocket idle timeout: the app's live connection must not be cut while a test reads the page.
    flags = {"ws-idle-timeout": 600, **({"frontend-dir": FRONTEND} if APP_BUILT else {})}
    return LocalStackProcess(data_dir, env=env, **flags)


def artifact_dir(test_name: str) -> pathlib.Path:
    """Return a fresh build/ui-artifacts/<test>/ (a previous run's screenshots would mislead)."""
    path = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


class Steps:
    """`with steps("sign in"): ...` screenshots the page as NN-sign-in.png when the step ends (NN-sign-in-failed.png if it fails)."""

    def __init__(self, page: Page, directory: pathlib.Path) -> None:
        self.page = page
        self.directory = directory
        self.count = 0

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.count += 1
        label = f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"
        try:
            yield
        except BaseException:
            self.shot(f"{label}-failed")
            raise
        self.shot(label)

    def shot(self, label: str) -> pathlib.Path | None:
        """Save a full-page screenshot; a page that is gone (closed, crashed) leaves none rather than hiding the real failure."""
        path = self.directory / f"{label}.png"
        try:
            self.page.screenshot(path=path, full_page=True)
        except Error:
            return None
        return path


@dataclass
class ConsoleWatch:
    """Console errors and uncaught page errors of every page of a browser context; `allow(pattern)` excuses expected ones."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught {error.name}: {error.message} [{page.url}]"))

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.errors.append(f"console.error: {message.text} [{where.get('url', '')}:{where.get('lineNumber', '')}]")
