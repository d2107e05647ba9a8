from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness import Connectbot, running_connectbot


@pytest.fixture
async def cb(database_url: str) -> AsyncIterator[Connectbot]:
    """The real server against both fakes, on each database backend."""
    async with running_connectbot(database_url) as running:
        yield running
