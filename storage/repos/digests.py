"""Daily digest runs: one row per summarized day; the unique `day` picks the one poster."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DigestRun, utcnow
from storage.repos.dialect import insert_ignoring_duplicates


async def has_run(session: AsyncSession, day: date) -> bool:
    """Whether the digest for `day` was already claimed (and committed) by some process."""
    return await session.scalar(select(DigestRun.id).where(DigestRun.day == day)) is not None


async def claim_day(session: AsyncSession, day: date) -> bool:
    """Insert the row for `day` in the caller's transaction; True only for the one winner.

    A concurrent claimer waits on the unique key (PostgreSQL) or the write lock (SQLite) and
    gets False once the winner commits; if the winner rolls back instead, it wins.
    """
    result = await session.execute(
        insert_ignoring_duplicates(session, DigestRun, "day", day=day, created_at=utcnow())
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
