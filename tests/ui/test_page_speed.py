"""With 1,000 hosts seeded, every page of the web app is interactive within 1 s (on demand: make ui-speed).

"Interactive" is measured in the page: from navigation start (performance.now() = 0 on a full load) to the
first animation frame where the page's <h1> is visible with its name, its data is rendered, and nothing in
<main> is still busy (aria-busy, a progress bar). Each page is loaded once to warm the HTTP cache, then
RUNS times; the median must be within the budget. The table is printed and saved to
build/ui-artifacts/page-speed.txt. UI_SEED_HOSTS and UI_SEED_PACKAGES scale the fleet for a quicker look;
UI_SPEED_URL measures an already seeded stack.
"""
from __future__ import annotations

import contextlib
import os
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.ui import screens, seed
from tests.ui.harness import ADMIN, ARTIFACTS, Steps, needs_app, new_stack

pytestmark = [needs_app, pytest.mark.bench, pytest.mark.timeout(3 * 3600)]

HOSTS = int(os.environ.get("UI_SEED_HOSTS", "1000"))
PACKAGES = int(os.environ.get("UI_SEED_PACKAGES", "100"))
EXTERNAL = os.environ.get("UI_SPEED_URL", "").rstrip("/")
BUDGET_MS = 1000
RUNS = 3
READY_TIMEOUT_MS = 30_000
READY = """({heading, section, text, selector}) => {
  const h1 = document.querySelector("h1");
  if (!h1 || !h1.checkVisibility() || !new RegExp(heading).test(h1.innerText.trim())) return false;
  const main = document.querySelector("main") || document.body;
  if (main.querySelector('[aria-busy="true"], [role="progressbar"]')) return false;
  if (section && ![...main.querySelectorAll("h2")].some((h) => new RegExp(section).test(h.innerText.trim()))) return false;
  if (text && !new RegExp(text).test(main.innerText)) return false;
  if (selector && !main.querySelector(selector)) return false;
  return performance.now();
}"""


@dataclass(frozen=True)
class Target:
    """A page: its route, the h1 it shows, and what its rendered data contains (text) or holds (selector)."""

    name: str
    path: str
    heading: str
    section: str = ""  # an <h2> in <main> (a settings section)
    text: str = ""
    selector: str = ""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, seed.Fleet]]:
    """A stack of its own (nothing persisted) holding HOSTS hosts that have each sent a full report.

    UI_SPEED_URL measures a stack already running and seeded instead (python -m tests.ui.seed --url ...), so the
    half-hour seeding is paid once while the pages are tuned.
    """
    if EXTERNAL:
        yield EXTERNAL, _existing_fleet(EXTERNAL)
        return
    stack = new_stack(tmp_path_factory.mktemp("speed-stack"), env={"PATCHMON_NO_PERSIST": "true"})
    stack.start()
    try:
        fleet = seed.seed(stack.url, token=seed.sign_in(stack.url), hosts=HOSTS, package_count=PACKAGES, progress=True)
        assert fleet.errors == [], fleet.errors[:10]
        print(f"\nseeded {HOSTS} hosts x {PACKAGES} packages in {fleet.seconds:.0f}s")
        yield stack.url, fleet
    finally:
        stack.stop()


def _existing_fleet(url: str) -> seed.Fleet:
    """The first host (by name) of an already seeded stack, and a check that it holds HOSTS hosts."""
    headers = {"Authorization": f"Bearer {seed.sign_in(url)}"}
    total = httpx.get(f"{url}/api/v1/dashboard/stats", headers=headers, timeout=30).json()["total_hosts"]
    assert total == HOSTS, f"{url} holds {total} hosts, not UI_SEED_HOSTS={HOSTS}"
    first = httpx.get(f"{url}/api/v1/hosts", params={"limit": 1}, headers=headers, timeout=30).json()["hosts"][0]
    return seed.Fleet(hosts={first["friendly_name"]: first["host_id"]})


@pytest.fixture
def base_url(seeded: tuple[str, seed.Fleet]) -> str:
    return seeded[0]


@pytest.fixture(scope="module")
def repository_id(seeded: tuple[str, seed.Fleet]) -> str:
    url = seeded[0]
    answer = httpx.get(f"{url}/api/v1/repositories", params={"limit": 1}, headers={"Authorization": f"Bearer {seed.sign_in(url)}"}, timeout=30)
    return answer.json()["repositories"][0]["repo_id"]


def _settings(name: str, path: str, section: str, selector: str) -> Target:
    return Target(f"settings: {name}", f"/settings/{path}", "^Settings$", section=f"^{section}$", selector=selector)


def _targets(fleet: seed.Fleet, repository: str) -> list[Target]:
    name, host_id = min(fleet.hosts.items())
    total = rf"\b{HOSTS:,}\b|\b{HOSTS}\b"
    return [Target("dashboard", "/", "^Dashboard$", text=total),
            Target("hosts", "/hosts", "^Hosts$", text=r"seed-\d{5}"),
            Target("host detail", f"/hosts/{host_id}", f"^{re.escape(name)}$", text=r"22\.04"),
            Target("packages", "/packages", "^Packages$", text=r"pkg-\d{5}"),
            Target("a package", "/packages/pkg-00001", "^pkg-00001$", text=r"seed-\d{5}"),
            Target("repositories", "/repositories", "^Repositories$", text=r"ubuntu-main|archive\.ubuntu\.com"),
            Target("a repository", f"/repositories/{repository}", ".", text=r"seed-\d{5}"),
            Target("settings", "/settings", "^Settings$", selector="input, select, textarea, [role=switch]"),
            _settings("roles", "roles", "Roles", "table"),
            _settings("profile", "profile", "My profile", "input"),
            _settings("host groups", "host-groups", "Host groups", "table, [data-testid=empty-state]"),
            _settings("agent", "agent-config", "Agent updates", "input"),
            _settings("security", "security", "Security", "input"),
            _settings("audit log", "audit-log", "Audit log", "table, [data-testid=empty-state]"),
            _settings("plan", "plan", "Plan and modules", "table, ul, [data-testid=module]")]


def measure(page: Page, target: Target) -> float:
    """Load the page and return the milliseconds from navigation start until it is interactive."""
    page.goto(target.path, wait_until="commit")
    ready = page.wait_for_function(READY, arg={"heading": target.heading, "section": target.section, "text": target.text,
                                               "selector": target.selector},
                                   polling="raf", timeout=READY_TIMEOUT_MS)
    return float(ready.json_value())


def _table(rows: list[tuple[str, list[float]]]) -> str:
    lines = [f"page speed: {HOSTS} hosts x {PACKAGES} packages, budget {BUDGET_MS} ms (median of {RUNS} loads after a warm-up)",
             f"{'page':<24}{'median ms':>10}{'min ms':>8}{'max ms':>8}  verdict"]
    for name, times in rows:
        if not times:
            lines.append(f"{name:<24}{'-':>10}{'-':>8}{'-':>8}  NOT READY within {READY_TIMEOUT_MS // 1000} s")
            continue
        median = statistics.median(times)
        lines.append(f"{name:<24}{median:>10.0f}{min(times):>8.0f}{max(times):>8.0f}  {'ok' if median <= BUDGET_MS else 'OVER'}")
    return "\n".join(lines) + "\n"


def test_every_page_is_interactive_within_1_s_with_1000_hosts(seeded, repository_id: str, page: Page, steps: Steps):
    """Dashboard, hosts, a host, packages, repositories and settings each become interactive within the budget."""
    # Given an admin signed in to a seeded organisation
    _, fleet = seeded
    with steps("sign in"):
        page.goto("/")
        screens.sign_in(page, ADMIN.username, ADMIN.password)
    # When each page is loaded
    rows = []
    for target in _targets(fleet, repository_id):
        times: list[float] = []
        with contextlib.suppress(PlaywrightTimeoutError), steps(target.name):  # a page never ready is a row too
            measure(page, target)
            times = [measure(page, target) for _ in range(RUNS)]
        rows.append((target.name, times))
    table = _table(rows)
    print("\n" + table)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-speed.txt").write_text(table)
    # Then
    slow = [name for name, times in rows if not times or statistics.median(times) > BUDGET_MS]
    assert slow == [], f"over {BUDGET_MS} ms: {slow}\n{table}"
