"""Fixtures shared by the whole suite.

`database_url` runs a test once per backend: SQLite always, PostgreSQL when TEST_DATABASE_URL
is set (skipped, with that reason shown, when it is not). It is at the newest schema, copied
from a template migrated once per process; `empty_database_url` is for the tests of migrating
itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import stripe
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from tests.databases import BACKENDS, POSTGRES_URL, drop_templates, fresh_database

# The browser tests' `page` and `sandbox` fixtures, wherever those tests live.
pytest_plugins = ("tests.browser",)


@pytest.fixture(scope="session", autouse=True)
def _database_templates() -> Iterator[None]:
    """The migrated templates `database_url` copies are removed when the session ends."""
    yield
    asyncio.run(drop_templates())


# stripe-python's own retry backoff, as shipped, before the tests shorten it.
SHIPPED_BACKOFF = {
    "INITIAL_DELAY": stripe.HTTPClient.INITIAL_DELAY,
    "MAX_DELAY": stripe.HTTPClient.MAX_DELAY,
}


@pytest.fixture(scope="session", autouse=True)
def _stripe_retries_on_test_time() -> Iterator[None]:
    """stripe-python's retry backoff on the tests' time scale, as `tests.harness.FAST` puts
    connectbot's own loops: the same retries of the same requests with the same idempotency
    keys, 20 to 50 ms apart instead of 0.5 to 5 s (`stripe._http_client.HTTPClient`
    `_sleep_time_seconds`). A test of a fault that stripe-python retries away would otherwise
    sit out a second or two of sleep per request. A test of stripe-python's own timing asks
    for `stripe_backoff_as_shipped`."""
    for name, seconds in (("INITIAL_DELAY", 0.02), ("MAX_DELAY", 0.05)):
        setattr(stripe.HTTPClient, name, seconds)
    yield
    for name, seconds in SHIPPED_BACKOFF.items():
        setattr(stripe.HTTPClient, name, seconds)


@pytest.fixture
def stripe_backoff_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """stripe-python's retry backoff as it ships (0.5 s, doubling, at most 5 s), for this test."""
    for name, seconds in SHIPPED_BACKOFF.items():
        monkeypatch.setattr(stripe.HTTPClient, name, seconds)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    return str(request.param)


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each backend, for tests of migrating and the start-up rule."""
    async with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of each backend at the newest schema, nobody else's."""
    async with fresh_database(backend, tmp_path, migrated=True) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a migrated database of each backend."""
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()
