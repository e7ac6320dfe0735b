"""How the tests find their way around the web app: role and label locators only, following its accessibility conventions.

Conventions the app follows: visible labels "Username", "Password", "Email", "Two-factor code", "Remember me";
buttons "Sign in", "Verify", "Create admin account", "Log out", "Add host"; `<nav aria-label="Main">` with the
links Dashboard, Hosts, Packages, Repositories, Patching, Settings; one <h1> per page naming it; toasts role="status".
"""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

NAV_LINKS = ("Dashboard", "Hosts", "Packages", "Repositories", "Patching", "Settings")
DELETE = re.compile(r"\b(delete|remove)\b", re.I)


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def go(page: Page, name: str) -> None:
    """Follow a link of the main navigation and wait for the page's h1."""
    main_nav(page).get_by_role("link", name=name, exact=True).click()
    expect(heading(page)).to_have_text(name)


def password_field(page: Page) -> Locator:
    # exact: a "Confirm password" field would also match "Password"
    return page.get_by_label("Password", exact=True)


def sign_in(page: Page, username: str, password: str, *, code: Callable[[], str] | None = None) -> None:
    """Sign in from the sign-in screen; `code` gives the TOTP code, asked for only once the form wants it."""
    page.get_by_label("Username").fill(username)
    password_field(page).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        page.get_by_label("Two-factor code").fill(code())
        page.get_by_role("button", name="Verify").click()
    expect(main_nav(page)).to_be_visible()


def sign_out(page: Page) -> None:
    """Log out and wait for the sign-in screen."""
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def toast(page: Page, text: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("status").filter(has_text=text).first
