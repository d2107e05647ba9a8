"""How connectbot uses a SQLite file: one server process with many writers, taking turns.

- WAL mode, so readers never wait for the writer, and foreign keys on.
- The driver's own transaction handling is off (it would BEGIN only before INSERT/UPDATE/DELETE,
  leaving earlier reads outside the transaction and DDL autocommitted); SQLAlchemy issues BEGIN
  instead (SQLAlchemy's SQLite dialect documentation, "Enabling Non-Legacy SQLite Transactional
  Modes", the recipe for aiosqlite).
- A write transaction begins `BEGIN IMMEDIATE`: it takes the write lock before its first read,
  so what it read cannot change before it commits (`FOR UPDATE` is a no-op on SQLite) and it
  never fails half-way when upgrading from reader to writer. A read-only session begins
  deferred (a snapshot) and never waits.
- In the process, write transactions take turns in arrival order (`WriteTurns`) before they
  touch the database, so a burst queues fairly instead of polling SQLite's lock, and a queued
  writer holds no pooled connection.
- Another process (a CLI command) is waited for up to the busy timeout: 5 s, or the URL's
  `?timeout=` in seconds (the sqlite3 driver's parameter). A writer that waits longer fails
  (`database is locked`, or `DatabaseBusy` in the queue), so the caller can answer "try again".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction, SessionTransactionOrigin

#: How long a writer waits for its turn when the URL gives no `timeout`.
DEFAULT_BUSY_TIMEOUT = 5.0

# Execution option naming the BEGIN the engine issues: "IMMEDIATE" when unset, "DEFERRED" for
# READ_ONLY connections, "" on a session's connections (the session issues its own).
SQLITE_BEGIN = "connectbot_sqlite_begin"


class DatabaseBusy(Exception):
    """A write waited longer than the busy timeout for its turn."""


def busy_timeout(url: str | URL) -> float:
    """Seconds a writer waits for the lock: the URL's `timeout`, else DEFAULT_BUSY_TIMEOUT.

    An unreadable `timeout` is left for the driver to refuse when it connects.
    """
    value = make_url(url).query.get("timeout")
    try:
        return float(value) if isinstance(value, str) else DEFAULT_BUSY_TIMEOUT
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT


def configure_engine(engine: AsyncEngine, url: str) -> None:
    """WAL, foreign keys, the busy timeout, and our own BEGIN on every connection of `engine`."""
    timeout_ms = int(busy_timeout(url) * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver issues no BEGIN of its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        if mode:
            conn.exec_driver_sql(f"BEGIN {mode}")


class WriteTurns:
    """One write transaction at a time in this process, in arrival order (asyncio.Lock wakes
    its waiters first come, first served)."""

    def __init__(self, timeout: float) -> None:
        self._lock = asyncio.Lock()
        self._timeout = timeout
        self._holder: asyncio.Task[Any] | None = None

    async def take(self) -> Callable[[], None]:
        """Wait (at most the busy timeout, else DatabaseBusy) for the turn; returns its release,
        which may be called more than once (only the first call counts).

        Refuses at once a turn asked for by the task that holds it: it would wait for itself.
        """
        task = asyncio.current_task()
        if task is not None and self._holder is task:
            raise RuntimeError(
                "sessions.begin() inside another sessions.begin() of the same task would wait "
                "for itself on SQLite; finish the first transaction before starting the next"
            )
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the lock is granted, and a cancelled worker would then never stop.
            async with asyncio.timeout(self._timeout):
                await self._lock.acquire()
        except TimeoutError:
            raise DatabaseBusy(
                f"the database stayed busy for {self._timeout:g} s; try again"
            ) from None
        self._holder = task
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._holder = None
                self._lock.release()

        return release


# Session.info key: releases the write turn of a `sessions.begin()` block.
_RELEASE_TURN = "connectbot.release_write_turn"


class Sessions(async_sessionmaker[AsyncSession]):
    """Sessions whose `begin()` waits for this process's write turn first (`WriteTurns`)."""

    turns: WriteTurns

    def begin(self) -> Any:
        return self._in_turn()

    @asynccontextmanager
    async def _in_turn(self) -> AsyncIterator[AsyncSession]:
        release = await self.turns.take()
        try:
            async with super().begin() as session:
                session.sync_session.info[_RELEASE_TURN] = release
                yield session
        finally:
            release()


def write_turn_sessions(engine: AsyncEngine, session_class: type[Session]) -> Sessions:
    """Sessions of `session_class` on `engine` that take turns to write.

    `begin()` waits for the turn, then begins `BEGIN IMMEDIATE`; the turn passes on at COMMIT
    (before the connection goes back to the pool), or when the block ends after a rollback.
    A session used without `begin()` autobegins `BEGIN DEFERRED`: it reads, never waits.
    """

    @event.listens_for(session_class, "after_begin")
    def _begin(session: Session, transaction: SessionTransaction, conn: Connection) -> None:
        # Runs once the connection is in SQLAlchemy's transaction, before the first statement;
        # a savepoint joins the transaction its root already began.
        if transaction.nested:
            return
        explicit = transaction.origin is SessionTransactionOrigin.BEGIN
        conn.exec_driver_sql("BEGIN IMMEDIATE" if explicit else "BEGIN DEFERRED")

    @event.listens_for(session_class, "after_commit")
    def _pass_the_turn(session: Session) -> None:
        if not session.in_nested_transaction():  # a savepoint's release is not the end
            release = session.info.pop(_RELEASE_TURN, None)
            if release is not None:
                release()

    factory = Sessions(
        engine,
        expire_on_commit=False,
        sync_session_class=session_class,
        execution_options={SQLITE_BEGIN: ""},  # the session issues BEGIN (after_begin)
    )
    factory.turns = WriteTurns(busy_timeout(engine.url))
    return factory
