"""The operator's journey through the web app in a browser, with our real agent process reporting in the middle.

Setup → sign in → add a host → the agent reports → the host and its packages appear → enable 2FA →
log out and back in with a code → a read-only user sees no write actions. Screenshots of every step land
in build/ui-artifacts/<test>/; a console error anywhere fails the test (conftest.py).
"""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import time

import httpx
import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect

from patchmon_agent import config as agent_config
from tests.e2e.stack import ROOT, LocalStackProcess
from tests.ui import screens
from tests.ui.harness import ADMIN, Account, Steps, needs_app

pytestmark = [needs_app, pytest.mark.timeout(300)]

VIEWER = Account("viewer", "V1ewer-Passw0rd!")
HOST = "ui-journey-01"
# Organisation settings writes (a user's own profile actions, their 2FA say, are theirs to take).
WRITE = re.compile(r"^(save|add|create|edit|update|delete|remove|regenerate)\b", re.I)


class Authenticator:
    """An authenticator app that never gives a code of a step the server already accepted (it refuses replays)."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    def code(self) -> str:
        now = int(time.time()) // self.totp.interval
        step = now if self.last_step is None else max(now, self.last_step + 1)
        if step > now + 1:  # the server accepts one step of drift: wait until this one is close enough
            time.sleep((step - 1) * self.totp.interval - time.time() + 0.1)
        self.last_step = step
        return self.totp.at(step * self.totp.interval)


def _value(locator: Locator) -> str:
    return locator.evaluate("e => ('value' in e && e.value) || e.textContent").strip()


def _credentials(wizard: Locator) -> tuple[str, str]:
    """The host's API id and key as the wizard shows them (once)."""
    return _value(wizard.get_by_test_id("api-id")), _value(wizard.get_by_test_id("api-key"))


def _report_with_our_agent(stack: LocalStackProcess, credentials: tuple[str, str], home: pathlib.Path) -> int:
    """Configure our agent for the host, run `patchmon_agent report` as a process, and return the package count it sent."""
    config = agent_config.load_config(home / "etc" / "config.yml")
    config.config.patchmon_server = stack.url
    config.save()
    agent_config.save_credentials(config.config.credentials_file, agent_config.Credentials(*credentials))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update({"PYTHONPATH": str(ROOT / "agent"), "NO_PROXY": "*", "PATCHMON_ALLOW_NON_ROOT": "true"})
    run = subprocess.run([sys.executable, "-m", "patchmon_agent", "--config", str(config.path), "report"], capture_output=True,
                         text=True, env=env, cwd=home, timeout=180, check=False)
    log = pathlib.Path(config.config.log_file).read_text()
    assert run.returncode == 0, run.stderr + log
    sent = re.search(r'msg="full report sent".*?\bpackages=(\d+)', log)
    assert sent, log
    return int(sent.group(1))


def _create_viewer(stack: LocalStackProcess) -> None:
    """Create the read-only user through the API, as the admin (before 2FA, so the API sign-in needs no code)."""
    signed_in = httpx.post(f"{stack.url}/api/v1/auth/login", json={"username": ADMIN.username, "password": ADMIN.password})
    assert signed_in.status_code == 200, signed_in.text
    created = httpx.post(f"{stack.url}/api/v1/auth/admin/users", headers={"Authorization": f"Bearer {signed_in.json()['token']}"},
                         json={"username": VIEWER.username, "email": VIEWER.email, "password": VIEWER.password, "role": "readonly"})
    assert created.status_code == 201, created.text


def _first_time_setup(page: Page) -> None:
    """Create the admin in the setup wizard and skip its optional 2FA step (this journey enables 2FA later)."""
    page.goto("/")
    page.get_by_label("Username").fill(ADMIN.username)
    page.get_by_label("Email").fill(ADMIN.email)
    screens.password_field(page).fill(ADMIN.password)
    page.get_by_label(re.compile(r"^confirm", re.I)).fill(ADMIN.password)
    page.get_by_role("button", name="Create admin account").click()
    page.get_by_role("button", name="Skip for now").click()
    expect(screens.heading(page)).to_have_text("Dashboard")  # the new admin is signed in


def _add_host(page: Page) -> tuple[str, str]:
    screens.go(page, "Hosts")
    page.get_by_role("button", name="Add host").click()
    wizard = page.get_by_role("dialog")
    wizard.get_by_label("Friendly name").fill(HOST)
    wizard.get_by_role("button", name=re.compile(r"^(create|add|next)\b", re.I)).click()
    command = wizard.get_by_text("/api/v1/hosts/install").first
    expect(command).to_be_visible()
    credentials = _credentials(wizard)
    assert f"X-API-ID: {credentials[0]}" in _value(command)
    page.keyboard.press("Escape")
    expect(wizard).to_be_hidden()
    return credentials


def _open_host(page: Page) -> None:
    screens.go(page, "Hosts")
    page.get_by_role("row").filter(has_text=HOST).get_by_role("link", name=HOST).click()
    expect(screens.heading(page)).to_have_text(HOST)


def _enable_two_factor(page: Page) -> Authenticator:
    screens.go(page, "Settings")
    page.get_by_role("link", name="Profile").or_(page.get_by_role("tab", name="Profile")).first.click()
    page.get_by_role("button", name=re.compile(r"enable (two-factor|2fa)", re.I)).click()
    secret = re.sub(r"\s+", "", _value(page.get_by_test_id("totp-secret")))
    authenticator = Authenticator(secret)
    page.get_by_label("Two-factor code").fill(authenticator.code())
    page.get_by_role("button", name="Verify").click()
    expect(screens.toast(page, re.compile(r"enabled", re.I))).to_be_visible()
    return authenticator


def test_operator_journey_from_first_setup_to_a_read_only_user(stack: LocalStackProcess, page: Page, steps: Steps,
                                                                tmp_path: pathlib.Path):
    """An operator sets up, enrols a host our agent reports for, turns on 2FA and signs in with a code; a read-only user cannot write."""
    with steps("first-time setup"):
        _first_time_setup(page)
    with steps("sign in"):
        screens.sign_out(page)
        screens.sign_in(page, ADMIN.username, ADMIN.password)
        expect(screens.heading(page)).to_have_text("Dashboard")
        expect(screens.main_nav(page).get_by_role("link")).to_contain_text(list(screens.NAV_LINKS))
        _create_viewer(stack)
    with steps("add host"):
        credentials = _add_host(page)
    with steps("agent reports"):
        reported = _report_with_our_agent(stack, credentials, tmp_path)
        assert reported > 0
        screens.go(page, "Hosts")
        status = page.get_by_role("row").filter(has_text=HOST).get_by_text(re.compile(r"^active$", re.I))
        expect(status).to_be_visible()
    with steps("host packages"):
        _open_host(page)
        expect(page.get_by_role("button", name=screens.DELETE).first).to_be_visible()  # the admin may delete it
        page.get_by_role("tab", name=re.compile(r"^packages", re.I)).click()
        packages = page.get_by_role("tabpanel")
        expect(packages).to_contain_text(re.compile(rf"\b{reported:,}\b|\b{reported}\b"))
        expect(packages.get_by_role("row").nth(1)).to_be_visible()  # a header row and at least one package
    with steps("enable two-factor"):
        authenticator = _enable_two_factor(page)
    with steps("log out"):
        screens.sign_out(page)
    with steps("sign in with a code"):
        screens.sign_in(page, ADMIN.username, ADMIN.password, code=authenticator.code)
        expect(screens.heading(page)).to_have_text("Dashboard")
    with steps("read-only hosts"):
        screens.sign_out(page)
        screens.sign_in(page, VIEWER.username, VIEWER.password)
        screens.go(page, "Hosts")
        expect(page.get_by_role("row").filter(has_text=HOST)).to_be_visible()  # loaded, so the absences below mean something
        expect(page.get_by_role("button", name="Add host")).to_have_count(0)
        expect(page.get_by_role("button", name=screens.DELETE)).to_have_count(0)
    with steps("read-only host"):
        _open_host(page)
        expect(page.get_by_role("button", name=screens.DELETE)).to_have_count(0)
    with steps("read-only settings"):
        screens.go(page, "Settings")
        sections = page.get_by_role("navigation", name="Settings").get_by_role("link")
        names = [name.strip() for name in sections.all_inner_texts()]
        assert "Users" not in names and "Roles" not in names, names
        for name in names:
            if name == "My profile":  # their own details, password and 2FA are theirs to change
                continue
            sections.filter(has_text=name).first.click()
            main = page.get_by_role("main")
            expect(main.get_by_role("heading", level=2, name=name, exact=True)).to_be_visible()
            expect(main.get_by_test_id("loading-state")).to_have_count(0)
            expect(main.get_by_role("button", name=WRITE)).to_have_count(0)
