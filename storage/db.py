"""The async database engine and session factory.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the server and a CLI command
can share the file. PostgreSQL is the choice for several server processes.
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

#: Session.info key set by outbox.enqueue: this transaction queued a Slack message.
OUTBOX_WRITTEN = "connectbot.outbox_written"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite connections get WAL, foreign keys and a busy timeout."""
    if is_sqlite(url):
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(
    engine: AsyncEngine, *, on_outbox_commit: Callable[[], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; `on_outbox_commit` runs after each commit that queued a message.

    (`storage.repos.outbox.enqueue` marks its session; the mark is dropped on rollback.)
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

    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=_Session)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database does not answer a trivial query."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
