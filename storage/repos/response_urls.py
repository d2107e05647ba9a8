"""Slack response URLs and their uses: 5 within 30 minutes, counted across messages and processes.

"You can use a response_url five times within 30 minutes" ("Handling user interaction",
https://api.slack.com/interactivity/handling#message_responses). A URL is remembered when its
command or interaction arrives; every attempt to post through it takes a use first (one
conditional UPDATE), so no two processes or retries ever spend a sixth use or a late one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ResponseUrl, utcnow
from storage.repos.dialect import insert_ignoring_duplicates

USES = 5
LIFETIME = timedelta(minutes=30)
# Slack started the 30 minutes when it sent the request, a little before it arrived here;
# a URL is given up a minute early rather than spent on a use Slack would refuse.
MARGIN = timedelta(minutes=1)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


async def remember(
    session: AsyncSession, url: str, *, user_id: str, received_at: datetime | None = None
) -> None:
    """Record a response URL Slack just handed over (a second time changes nothing)."""
    received_at = received_at or utcnow()
    await session.execute(
        insert_ignoring_duplicates(
            session,
            ResponseUrl,
            "url_hash",
            url_hash=url_hash(url),
            user_id=user_id[:32],
            uses=0,
            expires_at=received_at + LIFETIME - MARGIN,
            created_at=received_at,
        )
    )


async def take_use(session: AsyncSession, url: str, *, now: datetime | None = None) -> bool:
    """Take one use of `url`; False when it is unknown, used up or expired (then DM instead)."""
    result = await session.execute(
        update(ResponseUrl)
        .where(
            ResponseUrl.url_hash == url_hash(url),
            ResponseUrl.uses < USES,
            ResponseUrl.expires_at > (now or utcnow()),
        )
        .values(uses=ResponseUrl.uses + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def give_up(session: AsyncSession, url: str) -> None:
    """Slack refused `url` (expired or used up by its count): never try it again."""
    await session.execute(
        update(ResponseUrl).where(ResponseUrl.url_hash == url_hash(url)).values(uses=USES)
    )
