"""Browser tests: headless Debian Chromium through Playwright, against one local stack started for the session.

Every test gets a fresh browser context whose console errors and uncaught page errors fail the test at
teardown, a `steps` helper that screenshots each step to build/ui-artifacts/<test>/, and a screenshot
when it fails. PATCHMON_UI_TRACE=1 also keeps a Playwright trace (trace.zip) per test.
"""
from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.e2e.stack import LocalStackProcess
from tests.ui.harness import ADMIN, CHROMIUM, TRACE, ConsoleWatch, Steps, artifact_dir, new_stack

_PHASES = pytest.StashKey[dict[str, pytest.TestReport]]()
EXPECT_TIMEOUT_MS = 10_000  # a report or a sign-in (argon2 at production strength) can take a few seconds on the stack


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # One stack and one browser for all of them, so they run on one xdist worker (when xdist is loaded at all).
    # The page-speed check seeds 1,000 hosts (half an hour): it runs only when asked for with -m bench.
    grouped = config.pluginmanager.hasplugin("xdist")
    on_demand_only = "bench" not in (config.option.markexpr or "")
    for item in items:
        if "tests/ui/" in str(item.fspath):
            item.add_marker(pytest.mark.ui)
            if grouped:
                item.add_marker(pytest.mark.xdist_group("ui"))
            if on_demand_only and item.get_closest_marker("bench"):
                item.add_marker(pytest.mark.skip(reason="on demand: make ui-speed (pytest -m bench)"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    item.stash.setdefault(_PHASES, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `make setup` installs Debian's chromium when run as root (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # in CI a skip would hide a missing install step
        pytest.skip(reason)
    with sync_playwright() as instance:
        expect.set_options(timeout=EXPECT_TIMEOUT_MS)
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """The local stack serving frontend/dist (or the placeholder when the app is not built), not yet set up."""
    process = new_stack(tmp_path_factory.mktemp("ui-stack"))
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """A stack of the module's own, set up with the admin account (a module using it overrides `base_url`)."""
    process = new_stack(tmp_path_factory.mktemp("module-stack"))
    process.start()
    process.token = process.setup_admin(ADMIN.username, ADMIN.password)
    yield process
    process.stop()


@pytest.fixture
def base_url(stack: LocalStackProcess) -> str:
    """Where the browser goes; a module with a stack of its own overrides this."""
    return stack.url


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> pathlib.Path:
    """build/ui-artifacts/<test>/, emptied."""
    return artifact_dir(request.node.name)


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def context(browser: Browser, base_url: str, artifacts: pathlib.Path, console: ConsoleWatch,
            request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    context.on("page", console.attach)
    if TRACE:
        context.tracing.start(screenshots=True, snapshots=True, sources=True)
    yield context
    failed = any(r.failed for r in request.node.stash.get(_PHASES, {}).values())
    if failed:
        for number, page in enumerate(context.pages):
            Steps(page, artifacts).shot(f"failure-{number}" if number else "failure")
    if TRACE:
        context.tracing.stop(path=artifacts / "trace.zip")
    context.close()
    if console.errors:
        (artifacts / "console-errors.txt").write_text("\n".join(console.errors) + "\n")
    unexpected = console.unexpected()
    if unexpected:
        pytest.fail("the page logged errors:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def steps(page: Page, artifacts: pathlib.Path) -> Steps:
    return Steps(page, artifacts)
