"""Milestones: moments recorded once, by name, and never moved (the first start)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Milestone, utcnow
from storage.repos.dialect import insert_ignoring_duplicates

FIRST_START = "first_start"


async def record_once(session: AsyncSession, name: str, at: datetime | None = None) -> datetime:
    """Record `name` at `at` (default: now) unless it is already recorded; return the moment
    recorded, which is the earliest caller's (a later call, in any process, changes nothing)."""
    await session.execute(
        insert_ignoring_duplicates(session, Milestone, "name", name=name, at=at or utcnow())
    )
    recorded = await session.scalar(select(Milestone.at).where(Milestone.name == name))
    assert recorded is not None  # inserted above, or already there
    return recorded
