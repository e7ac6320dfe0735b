"""The harness against whatever the stack serves at / (the placeholder page until the web app is built)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.harness import Steps

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("path", ["/", "/hosts/some-deep-link"], ids=["root", "deep-link"])
def test_front_page_loads_without_console_errors_when_opened_at(path: str, page: Page, steps: Steps):
    """The served page, opened directly or by a client-side route, renders one h1 and logs no error once its requests settle."""
    # When
    with steps("open"):
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
    # Then (console errors are checked at teardown)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_console_errors_are_captured_when_the_page_logs_them(page: Page, console):
    """The teardown check would see a console error and an uncaught exception (here excused, to keep the test green)."""
    # Given
    console.allow(r"^console\.error: deliberate")
    console.allow(r"^uncaught Error: deliberate")
    # When
    page.set_content("<h1>x</h1><script>console.error('deliberate'); setTimeout(() => { throw new Error('deliberate') })</script>")
    page.wait_for_timeout(200)
    # Then
    assert [e.split(" [")[0] for e in console.errors] == ["console.error: deliberate", "uncaught Error: deliberate"]
    assert console.unexpected() == []
