"""Transactions behave the same on both backends: a write transaction owns what it read until it
commits, a reading session never waits for a writer, and schema changes roll back.

On SQLite this rests on storage/sqlite.py: write transactions take turns in the process and
begin `BEGIN IMMEDIATE` (`FOR UPDATE` is a no-op there), with a busy timeout for the wait.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import DatabaseBusy, create_engine, session_factory
from storage.models import StripeEvent
from storage.sqlite import WriteTurns


def event(event_id: str) -> StripeEvent:
    return StripeEvent(id=event_id, type="payout.paid", livemode=False, payload={}, attempts=0)


async def test_concurrent_read_modify_writes_lose_no_update(engine: AsyncEngine) -> None:
    """Five writers, each with its own session factory as if in its own process."""
    async with session_factory(engine).begin() as session:
        session.add(event("evt_1"))

    async def bump() -> None:
        async with session_factory(engine).begin() as session:
            row = await session.get(StripeEvent, "evt_1", with_for_update=True)
            assert row is not None
            await asyncio.sleep(0.05)  # every other writer gets the chance to read the same value
            row.attempts += 1

    await asyncio.gather(*(bump() for _ in range(5)))
    async with session_factory(engine)() as session:
        row = await session.get(StripeEvent, "evt_1")
    assert row is not None and row.attempts == 5


async def test_a_reading_session_does_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add(event("evt_1"))
    async with sessions.begin() as writer:
        row = await writer.get(StripeEvent, "evt_1", with_for_update=True)
        assert row is not None
        row.attempts = 7
        await writer.flush()  # written, not committed: the writer holds its locks

        async def read() -> int | None:
            async with sessions() as reader:
                return await reader.scalar(
                    text("SELECT attempts FROM stripe_events WHERE id = 'evt_1'")
                )

        assert await asyncio.wait_for(read(), timeout=2) == 0  # the committed value, at once
    assert await read() == 7


async def test_a_failed_schema_change_leaves_no_trace(engine: AsyncEngine) -> None:
    """Migrations run in one transaction (`migrate.upgrade`): DDL rolls back with it."""
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY)"))
            raise RuntimeError("the migration failed halfway")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert "scratch" not in tables and "stripe_events" in tables


async def test_sqlite_writers_wait_up_to_the_busy_timeout(tmp_path: Path) -> None:
    """5 s unless the URL says `?timeout=` (seconds); past it, a clear `database is locked`."""
    default = create_engine(f"sqlite+aiosqlite:///{tmp_path}/lock.db")
    quick = create_engine(f"sqlite+aiosqlite:///{tmp_path}/lock.db?timeout=0.2")
    try:
        await migrate.upgrade(default)
        for engine, expected in ((default, 5000), (quick, 200)):
            async with engine.connect() as conn:
                assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == expected

        loop = asyncio.get_running_loop()
        async with session_factory(default).begin() as holder:
            holder.add(event("evt_held"))
            await holder.flush()
            started = loop.time()
            with pytest.raises(OperationalError, match="database is locked"):
                async with session_factory(quick).begin() as waiting:
                    waiting.add(event("evt_waiting"))
            assert 0.15 < loop.time() - started < 3
        async with session_factory(quick).begin() as later:  # the lock is free again
            later.add(event("evt_later"))
        async with session_factory(default)() as session:
            ids = (await session.scalars(text("SELECT id FROM stripe_events ORDER BY id"))).all()
        assert ids == ["evt_held", "evt_later"]
    finally:
        await default.dispose()
        await quick.dispose()


async def test_sqlite_writers_take_turns_in_arrival_order(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/turns.db")
    sessions = session_factory(engine)
    served: list[int] = []

    async def write(i: int) -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            await asyncio.sleep(0.002 * (i % 3))  # some hold the lock longer than others
            served.append(i)

    try:
        await asyncio.gather(*(write(i) for i in range(20)))
    finally:
        await engine.dispose()
    assert served == list(range(20))


async def test_sqlite_queued_writers_hold_no_connection(tmp_path: Path) -> None:
    """Twenty writers wait behind one; a reader still gets the pool's second connection."""
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path}/pool.db", pool_size=2, max_overflow=0, pool_timeout=2
    )
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    release = asyncio.Event()

    async def hold() -> None:
        async with sessions.begin() as session:
            session.add(event("evt_holder"))
            await session.flush()
            await release.wait()

    async def write(i: int) -> None:
        async with sessions.begin() as session:
            session.add(event(f"evt_{i:02}"))

    try:
        holder = asyncio.create_task(hold())
        writers = [asyncio.create_task(write(i)) for i in range(20)]
        await asyncio.sleep(0.1)  # all queued behind the holder
        async with sessions() as reader:
            count = await asyncio.wait_for(
                reader.scalar(text("SELECT count(*) FROM stripe_events")), timeout=1
            )
        assert count == 0  # nothing committed yet
        release.set()
        await asyncio.gather(holder, *writers)
        async with sessions() as reader:
            assert await reader.scalar(text("SELECT count(*) FROM stripe_events")) == 21
    finally:
        await engine.dispose()


async def test_sqlite_a_writer_waits_for_its_turn_up_to_the_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/busy.db?timeout=0.2")
    sessions = session_factory(engine)
    loop = asyncio.get_running_loop()

    async def late_writer() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))

    try:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            started = loop.time()
            with pytest.raises(DatabaseBusy, match=r"busy for 0\.2 s"):
                await asyncio.create_task(late_writer())
            assert 0.15 < loop.time() - started < 3
            with pytest.raises(RuntimeError, match=r"inside another sessions\.begin\(\)"):
                await late_writer()  # the same task: refused at once, not a wait for itself
        await late_writer()  # the turn is free again
    finally:
        await engine.dispose()


async def test_a_writer_cancelled_as_its_turn_comes_stops_and_passes_the_turn_on() -> None:
    """The cancellation wins (a worker being stopped stops) and the turn is not kept."""
    turns = WriteTurns(timeout=5)
    release = await turns.take()
    waiting = asyncio.create_task(turns.take())
    await asyncio.sleep(0)  # queued behind the holder
    release()  # its turn comes…
    waiting.cancel()  # …as it is cancelled
    with pytest.raises(asyncio.CancelledError):
        await waiting
    next_release = await asyncio.wait_for(turns.take(), timeout=1)
    next_release()
