"""Fixtures shared by the whole suite.

`database_url` runs a test once per backend: SQLite always, PostgreSQL when TEST_DATABASE_URL
is set (skipped, with that reason shown, when it is not).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import create_engine
from tests.databases import BACKENDS, POSTGRES_URL, fresh_database

# The browser tests' `page` and `sandbox` fixtures, wherever those tests live.
pytest_plugins = ("tests.browser",)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each backend."""
    async with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a freshly migrated database of each backend."""
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
