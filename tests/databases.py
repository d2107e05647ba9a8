"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database per test.

PostgreSQL is used when `TEST_DATABASE_URL` is set (CI sets it); each test gets its own
database created from that server and dropped afterwards, so tests never see each other's rows.

A test that wants the newest schema (`migrated=True`, the suite's `database_url` fixture) gets a
copy of a template this process migrated once: a file copy on SQLite, `CREATE DATABASE …
TEMPLATE` on PostgreSQL. Migrating per test cost about a tenth of a second on SQLite and half a
second on a loaded PostgreSQL, for nothing the migration tests (which start empty and migrate
for real) do not already check. `drop_templates()` removes the templates at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import create_engine

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]
SQLITE_FILE = "connectbot-test.db"

# This process's migrated templates, made the first time a test asks: backend -> SQLite file or
# PostgreSQL database name. (Each xdist worker is its own process, with its own templates.)
_templates: dict[str, str] = {}


def _asyncpg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


def _postgres_url(name: str) -> str:
    assert POSTGRES_URL, "TEST_DATABASE_URL is not set"
    return (
        make_url(POSTGRES_URL)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


async def _admin(*statements: str) -> None:
    """Run statements on the server's `postgres` database, one by one (CREATE/DROP DATABASE
    cannot run inside a transaction, nor on the database they create)."""
    assert POSTGRES_URL, "TEST_DATABASE_URL is not set"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL, "postgres"))
    try:
        for sql in statements:
            await admin.execute(sql)
    finally:
        await admin.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        # Every connection closed: SQLite folds its WAL into the file, and PostgreSQL can copy a
        # template only while nobody is connected to it.
        await engine.dispose()


async def _template(backend: str) -> str:
    if backend in _templates:
        return _templates[backend]
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="connectbot-template-")) / SQLITE_FILE
        await _migrate(f"sqlite+aiosqlite:///{path}")
        _templates[backend] = str(path)
    else:
        name = f"cb_template_{secrets.token_hex(6)}"
        await _admin(f'CREATE DATABASE "{name}"')
        _templates[backend] = name  # recorded before migrating, so it is dropped even on failure
        await _migrate(_postgres_url(name))
    return _templates[backend]


async def drop_templates() -> None:
    """Remove this process's templates (the end of a test session)."""
    for backend, template in list(_templates.items()):
        del _templates[backend]
        if backend == "sqlite":
            shutil.rmtree(Path(template).parent, ignore_errors=True)
        else:
            await _admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@asynccontextmanager
async def fresh_database(
    backend: str, tmp_path: Path, *, migrated: bool = False
) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of a database of `backend` of its own, removed afterwards:
    empty, or at the newest schema when `migrated`."""
    if backend == "sqlite":
        path = tmp_path / SQLITE_FILE
        if migrated:
            shutil.copyfile(await _template(backend), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"cb_test_{secrets.token_hex(6)}"
    template = f' TEMPLATE "{await _template(backend)}"' if migrated else ""
    # A commit in a test database does not wait for the WAL to reach the disk: what commits,
    # locks and is seen is the same, only a crash of the server could lose the last commits
    # (postgresql.org/docs/15/wal-async-commit.html), and a test's database outlives no crash.
    # Four test runs sharing one server's fsyncs made every commit wait for the others'.
    await _admin(
        f'CREATE DATABASE "{name}"{template}',
        f'ALTER DATABASE "{name}" SET synchronous_commit = off',
    )
    try:
        yield _postgres_url(name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
