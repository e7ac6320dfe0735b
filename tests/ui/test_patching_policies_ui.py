"""Beyond PatchMon in the browser: a maintenance window with a reboot policy and a hook is created in the Policies
tab (and its Scheduler schedules appear), and a package hold is added and released on a host's Patching tab."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.patching import api
from tests.ui import screens
from tests.ui.harness import ADMIN, Steps, needs_app

pytestmark = [needs_app, pytest.mark.timeout(300)]


@pytest.fixture
def base_url(own_stack) -> str:
    return own_stack.url


def test_a_maintenance_window_and_a_hold_are_set_up_in_the_browser(own_stack, page: Page, steps: Steps):
    host = api(own_stack, "POST", "/hosts/create", json={"friendly_name": "db-01"}).json()
    page.goto("/login")
    screens.sign_in(page, ADMIN.username, ADMIN.password)
    with steps("policies tab: create a window"):
        page.goto("/patching?tab=policies")
        page.get_by_role("button", name="Create policy").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill("Weekend")
        dialog.get_by_label("Patch delay").select_option("maintenance_window")
        dialog.get_by_text("Sat", exact=True).click()
        dialog.get_by_text("Sun", exact=True).click()
        dialog.get_by_label("Opens at (HH:MM)").fill("02:00")
        dialog.get_by_label("Duration (minutes)").fill("120")
        dialog.get_by_label("Operation").select_option("security")
        dialog.get_by_label("Reboot", exact=True).select_option("if_required")
        dialog.get_by_role("button", name="Add pre-patch hook").click()
        dialog.get_by_label("Pre-patch hooks: command 1").fill("systemctl stop myapp")
    with steps("policies tab: the window listed"):
        dialog.get_by_role("button", name="Create policy").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_text("Sat, Sun at 02:00", exact=False).first).to_be_visible()
        expect(page.get_by_text("security only", exact=False).first).to_be_visible()
    policy = api(own_stack, "GET", "/patching/policies").json()["items"][0]
    assert policy["window"]["days"] == ["SUN", "SAT"] and policy["window"]["operation"] == "security"
    assert policy["reboot_policy"] == "if_required" and policy["pre_hooks"] == ["systemctl stop myapp"]
    scheduler = own_stack.aws_client("scheduler")
    names = {s["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]
             for s in scheduler.list_schedules(GroupName=g["Name"])["Schedules"]}
    assert f"mw-{policy['id']}" in names
    with steps("host patching tab: add a hold"):
        page.goto(f"/hosts/{host['hostId']}?tab=patching")
        form = page.get_by_role("form", name="Hold packages on db-01")
        form.get_by_label("Pattern").fill("linux-image-*")
        form.get_by_label("Reason").fill("kernel upgrades in the change window only")
        form.get_by_role("button", name="Add hold").click()
        holds = page.get_by_role("region", name="Package holds of db-01")
        expect(holds.get_by_text("linux-image-*")).to_be_visible()
    assert [h["pattern"] for h in api(own_stack, "GET", f"/patching/holds?host_id={host['hostId']}").json()["items"]] == ["linux-image-*"]
    with steps("host patching tab: release it"):
        holds.get_by_role("button", name="Release linux-image-*").click()
        page.get_by_role("dialog").get_by_role("button", name="Release hold").click()
        expect(holds.get_by_text("linux-image-*")).to_have_count(0)
    assert api(own_stack, "GET", f"/patching/holds?host_id={host['hostId']}").json()["items"] == []
