"""`serve`'s database rule: SQLite migrates itself, PostgreSQL must be migrated deliberately."""

from __future__ import annotations

import pytest

from bot.database import prepare_for_serving, upgrade_database
from bot.errors import CommandFailed
from storage import migrate
from storage.db import create_engine


async def test_an_unmigrated_database_is_handled_by_the_startup_rule(
    backend: str, empty_database_url: str
) -> None:
    database_url = empty_database_url
    if backend == "sqlite":
        assert "migrated from empty" in await prepare_for_serving(database_url)
    else:
        with pytest.raises(CommandFailed, match="run `connectbot db upgrade` first"):
            await prepare_for_serving(database_url)
        await upgrade_database(database_url)
        assert "up to date" in await prepare_for_serving(database_url)
    engine = create_engine(database_url)
    try:
        assert await migrate.is_current(engine)
    finally:
        await engine.dispose()
