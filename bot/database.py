"""Getting the database ready: migrate, describe, and the start-up rule for `serve`.

Start-up rule: a SQLite database (one process, local use, the sandbox) migrates itself; a
PostgreSQL database shared by several processes is migrated deliberately with
`connectbot db upgrade`, and `serve` refuses to start on an out-of-date schema.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from bot.errors import CommandFailed
from storage import migrate
from storage.db import create_engine, is_sqlite, ping


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _reachable(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        await ping(engine)
    except Exception as exc:
        await engine.dispose()
        raise CommandFailed(f"cannot reach the database at {_safe(url)}: {exc}") from None
    return engine


async def upgrade_database(url: str) -> str:
    """Migrate to the newest schema; return a one-line report."""
    engine = await _reachable(url)
    try:
        before = await migrate.current_revision(engine)
        await migrate.upgrade(engine)
        after = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    if before == after:
        return f"database {_safe(url)} is up to date (revision {after})"
    return f"database {_safe(url)} migrated from {before or 'empty'} to {after}"


async def downgrade_database(url: str, revision: str) -> str:
    engine = await _reachable(url)
    try:
        await migrate.downgrade(engine, revision)
        after = await migrate.current_revision(engine)
    except Exception as exc:
        raise CommandFailed(f"cannot downgrade to {revision!r}: {exc}") from None
    finally:
        await engine.dispose()
    return f"database {_safe(url)} is at {after or 'empty (base)'}"


async def describe_revision(url: str) -> str:
    engine = await _reachable(url)
    try:
        current = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    head = migrate.head_revision()
    state = "up to date" if current == head else f"behind (newest is {head})"
    return f"database {_safe(url)} is at {current or 'empty'}: {state}"


async def prepare_for_serving(url: str) -> str:
    """Make sure the schema is current before the server starts, or refuse with what to run."""
    if is_sqlite(url):
        return await upgrade_database(url)
    engine = await _reachable(url)
    try:
        current = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    if current != migrate.head_revision():
        raise CommandFailed(
            f"the database at {_safe(url)} is at revision {current or 'empty'}, not "
            f"{migrate.head_revision()}: run `connectbot db upgrade` first"
        )
    return f"database {_safe(url)} is up to date"
