"""One digest per day on every backend: the unique `day` refuses a second row, racing or not."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, session_factory
from storage.models import DigestRun
from storage.repos import digests

DAY = date(2026, 11, 25)


async def test_a_second_row_for_the_same_day_collides(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add(DigestRun(day=DAY))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(DigestRun(day=DAY))
    async with sessions.begin() as session:
        session.add(DigestRun(day=date(2026, 11, 26)))  # another day is another row


async def test_racing_claims_from_two_engines_have_one_winner(
    engine: AsyncEngine, database_url: str
) -> None:
    other = create_engine(database_url)  # a second process's connection pool
    try:

        async def claim(on: AsyncEngine) -> bool:
            async with session_factory(on).begin() as session:
                won = await digests.claim_day(session, DAY)
                await asyncio.sleep(0.2)  # hold the transaction open while the other claims
                return won

        results = await asyncio.gather(claim(engine), claim(other), claim(engine))
        assert sorted(results) == [False, False, True]
        async with session_factory(other)() as session:
            assert await digests.has_run(session, DAY)
            assert not await digests.has_run(session, date(2026, 11, 24))
            assert await session.scalar(select(func.count()).select_from(DigestRun)) == 1
    finally:
        await other.dispose()


async def test_a_claim_that_rolls_back_leaves_the_day_free(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            assert await digests.claim_day(session, DAY)
            raise RuntimeError("crashed before the messages were queued")
    async with sessions.begin() as session:
        assert await digests.claim_day(session, DAY)
