from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from app import app


@pytest.fixture
def client(aws) -> Iterator[Client]:
    """The Chalice app behind its test gateway, on moto."""
    with Client(app) as test_client:
        yield test_client
