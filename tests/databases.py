"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database per test.

PostgreSQL is used when `TEST_DATABASE_URL` is set (CI sets it); each test gets its own
database created from that server and dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def _asyncpg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of an empty database of `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'connectbot-test.db'}"
        return
    assert POSTGRES_URL, "TEST_DATABASE_URL is not set"
    name = f"cb_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield (
            make_url(POSTGRES_URL)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
