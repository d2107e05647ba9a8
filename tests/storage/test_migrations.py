"""Migrations go up and down on every backend, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import create_engine
from storage.models import Base

TABLES = {
    "vendors",
    "oauth_states",
    "customers",
    "shared_customers",
    "charges",
    "refunds",
    "application_fees",
    "stripe_events",
    "outbox",
    "approvals",
    "audit_log",
    "digest_runs",
    "response_urls",
    "milestones",
    "carts",
    "notify_subscriptions",
}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    return set(names) - {"alembic_version"}


async def test_upgrade_then_downgrade_to_empty(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        assert await _tables(engine) == TABLES
        await migrate.downgrade(engine, "base")
        assert await migrate.current_revision(engine) is None
        assert await _tables(engine) == set()
        await migrate.upgrade(engine)  # and up again: downgrades leave nothing behind
        assert await migrate.is_current(engine)
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    def diff(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))

    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)  # for real, not the template the other tests copy
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: object) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/wal.db")
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()
