"""Themes, narrow screens and the keyboard, in the browser: what the operator journey does not look at.

A stack of its own (so the journey still finds an organisation awaiting its first-time setup), one admin
signed in through the web app. Screenshots of each state land in build/ui-artifacts/<test>/.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack import LocalStackProcess
from tests.ui import screens, seed
from tests.ui.harness import ADMIN, Steps, needs_app, new_stack

pytestmark = [needs_app, pytest.mark.timeout(300)]

PAGES = ("Dashboard", "Hosts", "Packages", "Repositories", "Patching", "Settings")
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    stack = new_stack(tmp_path_factory.mktemp("look-stack"), env={"PATCHMON_NO_PERSIST": "true"})
    stack.start()
    try:
        seed.sign_in(stack.url)  # creates the admin
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def base_url(own_stack: LocalStackProcess) -> str:
    return own_stack.url


def _sign_in(page: Page) -> None:
    page.goto("/")
    screens.sign_in(page, ADMIN.username, ADMIN.password)
    expect(screens.heading(page)).to_have_text("Dashboard")


def _settled(page: Page) -> None:
    """Wait until the page shows its content (a section, a table or an empty state) and nothing in it is still loading."""
    main = page.get_by_role("main")
    expect(main.locator("h2, table, [data-testid=empty-state]").first).to_be_visible()
    expect(main.locator('[aria-busy="true"]')).to_have_count(0)


def test_dark_theme_is_applied_everywhere_and_kept_after_a_reload(page: Page, steps: Steps):
    """The header's theme button switches every page to dark, and the choice survives a reload."""
    with steps("sign in"):
        _sign_in(page)
    with steps("switch to dark"):
        page.get_by_role("button", name="Switch to dark theme").click()
        expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
    for name in PAGES:
        with steps(f"dark {name}"):
            screens.go(page, name)
            _settled(page)
    with steps("reload"):
        page.reload()
        expect(screens.heading(page)).to_have_text("Settings")
        expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
        expect(page.get_by_role("button", name="Switch to light theme")).to_be_visible()


def test_narrow_screen_hides_the_navigation_behind_a_menu_and_nothing_scrolls_sideways(page: Page, steps: Steps):
    """At 375 px the main navigation is a menu; every page fits the width (tables scroll inside themselves)."""
    with steps("sign in"):
        _sign_in(page)
        page.set_viewport_size({"width": 375, "height": 740})
    menu = page.get_by_role("button", name="Open navigation")
    for name in PAGES:
        with steps(f"narrow {name}"):
            expect(screens.main_nav(page).get_by_role("link", name=name, exact=True)).to_be_hidden()
            menu.click()
            screens.go(page, name)
            _settled(page)
            assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at 375 px"


def test_keyboard_alone_signs_in_and_reaches_the_page_content(page: Page, steps: Steps):
    """Tab order on the sign-in form, Enter to submit, then the skip link lands on the page's content."""
    with steps("sign-in form by keyboard"):
        page.goto("/")
        page.get_by_label("Username").focus()
        page.keyboard.type(ADMIN.username)
        page.keyboard.press("Tab")
        expect(screens.password_field(page)).to_be_focused()
        page.keyboard.type(ADMIN.password)
        page.keyboard.press("Enter")
        expect(screens.heading(page)).to_have_text("Dashboard")
    with steps("skip link"):
        page.locator("body").focus()
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to main content")
        expect(skip).to_be_focused()
        page.keyboard.press("Enter")
        focused_in_main = page.evaluate("() => Boolean(document.activeElement && document.activeElement.closest('main'))")
        assert focused_in_main, "the skip link did not move focus into <main>"
    with steps("hosts by keyboard"):
        screens.main_nav(page).get_by_role("link", name="Hosts", exact=True).focus()
        page.keyboard.press("Enter")
        expect(screens.heading(page)).to_have_text("Hosts")
        expect(screens.heading(page)).to_be_focused()  # focus follows the navigation to the new page's title
        expect(page).to_have_title(re.compile(r"^Hosts · "))
