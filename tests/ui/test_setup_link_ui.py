"""An organisation the operator creates, in a real browser: its address alone shows no setup form; its setup link does."""
from __future__ import annotations

import re
import secrets

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack import LocalStackProcess
from tests.ui import screens
from tests.ui.harness import Steps

pytestmark = pytest.mark.timeout(120)
PASSWORD = "Sup3r-secret!"


def _create_tenant(stack: LocalStackProcess, slug: str) -> str:
    """The operator creates the organisation; returns its setup link's token."""
    key = (stack.data_dir / "operator-key").read_text().strip()
    response = httpx.post(f"{stack.url}/api/v1/operator/tenants", json={"slug": slug, "name": "Linked Ltd", "plan": "plus"},
                          headers={"X-Operator-Key": key}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["setup_link"]["setup_token"]


def test_a_new_organisation_is_set_up_through_its_setup_link_in_the_browser(stack: LocalStackProcess, page: Page, steps: Steps):
    slug = f"linked-{secrets.token_hex(3)}"
    token = _create_tenant(stack, slug)
    address = f"http://{slug}.localhost:{stack.port}"

    with steps("address without the link"):
        page.goto(f"{address}/")
        expect(page.get_by_text(re.compile(r"set up through the setup link its provider sent"))).to_be_visible()
        expect(page.get_by_role("button", name="Create admin account")).to_have_count(0)
    with steps("setup link"):
        page.goto(f"{address}/setup?token={token}")
        page.get_by_label("Username").fill("founder")
        page.get_by_label("Email").fill("founder@linked.example")
        screens.password_field(page).fill(PASSWORD)
        page.get_by_label(re.compile(r"^confirm", re.I)).fill(PASSWORD)
        page.get_by_role("button", name="Create admin account").click()
        page.get_by_role("button", name="Skip for now").click()
        expect(screens.heading(page)).to_have_text("Dashboard")  # the organisation's superadmin, signed in
