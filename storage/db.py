"""The async database engine and session factory.

SQLite (the default) serves one process: write transactions take the write lock up front and
take turns (storage/sqlite.py). PostgreSQL, the choice for several server processes, is left
to its own transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from storage import sqlite
from storage.sqlite import DatabaseBusy

__all__ = [
    "EACH_STATEMENT",
    "OUTBOX_WRITTEN",
    "READ_ONLY",
    "DatabaseBusy",
    "create_engine",
    "is_sqlite",
    "ping",
    "session_factory",
]

#: Session.info key set by outbox.enqueue: this transaction queued a Slack message.
OUTBOX_WRITTEN = "connectbot.outbox_written"

#: Execution options for an engine connection that only reads (`await conn.execution_options(
#: **READ_ONLY)` before its first statement): on SQLite it never waits for the write lock.
READ_ONLY: dict[str, Any] = {sqlite.SQLITE_BEGIN: "DEFERRED"}

#: Execution options for an engine connection whose statements each read on their own, in no
#: transaction of their own making (on SQLite no BEGIN at all; PostgreSQL's driver still begins
#: one): each statement sees the newest commit, so two may not agree. For a glance that is
#: checked again before anything is done with it (the /charge form); else READ_ONLY.
EACH_STATEMENT: dict[str, Any] = {sqlite.SQLITE_BEGIN: ""}


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`.

    SQLite: WAL, foreign keys, a busy timeout, and every transaction begun on the engine itself
    (migrations) is `BEGIN IMMEDIATE` unless the connection is READ_ONLY. PostgreSQL: pre-ping.
    """
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_async_engine(url, **kwargs)
    sqlite.configure_engine(engine, url)
    return engine


def session_factory(
    engine: AsyncEngine, *, on_outbox_commit: Callable[[], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; `on_outbox_commit` runs after each commit that queued a message.

    Write inside `sessions.begin()`; a session used without it only reads. On SQLite,
    `sessions.begin()` waits (at most the busy timeout, else `DatabaseBusy`) for its turn among
    this factory's writers and then holds the write lock (`BEGIN IMMEDIATE`) until it ends; a
    reading session begins deferred and never waits. It refuses a write opened inside another
    by the same task. (`storage.repos.outbox.enqueue` marks its session; the mark is dropped
    on rollback.)
    """

    class _Session(Session):
        pass

    if on_outbox_commit is not None:
        hook = on_outbox_commit

        @event.listens_for(_Session, "after_commit")
        def _committed(session: Session) -> None:
            if session.info.pop(OUTBOX_WRITTEN, False):
                hook()

        @event.listens_for(_Session, "after_rollback")
        def _rolled_back(session: Session) -> None:
            session.info.pop(OUTBOX_WRITTEN, None)

    if engine.dialect.name == "sqlite":
        return sqlite.write_turn_sessions(engine, _Session)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=_Session)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database does not answer a trivial query."""
    async with engine.connect() as conn:
        await conn.execution_options(**READ_ONLY)
        await conn.execute(text("SELECT 1"))
