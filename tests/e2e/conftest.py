from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import LocalStackProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # All end-to-end tests share one stack, so they run on one xdist worker.
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """A running local stack, started once for the end-to-end tests."""
    process = LocalStackProcess(tmp_path_factory.mktemp("stack"))
    process.start()
    process.token = process.setup_admin()
    yield process
    process.stop()
