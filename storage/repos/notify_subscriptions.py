"""Admins' `/notify` subscriptions: which event types are announced where, per workspace."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import NotifySubscription, utcnow

#: `remove`'s channel argument meaning every channel the type is announced in.
EVERY_CHANNEL = "*"


async def add(
    session: AsyncSession, *, team_id: str, event_type: str, channel_id: str | None, by: str
) -> bool:
    """Subscribe (in the caller's transaction); False when the same subscription was already
    there (the unique keys make a double add, even a concurrent one, one row)."""
    name = session.get_bind().dialect.name
    builder = postgresql.insert if name == "postgresql" else sqlite.insert
    # No conflict target: either unique key (with a channel, or the partial one without) counts.
    statement = (
        builder(NotifySubscription)
        .values(
            team_id=team_id,
            event_type=event_type,
            channel_id=channel_id,
            created_by=by,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def remove(
    session: AsyncSession, *, team_id: str, event_type: str, channel_id: str | None
) -> list[str | None]:
    """Unsubscribe `event_type` (exactly as stored) in `channel_id` (None: the subscription
    without a channel; `EVERY_CHANNEL`: all of them); the channels removed, none when there
    was nothing to remove."""
    where = [
        NotifySubscription.team_id == team_id,
        NotifySubscription.event_type == event_type,
    ]
    if channel_id is None:
        where.append(NotifySubscription.channel_id.is_(None))
    elif channel_id != EVERY_CHANNEL:
        where.append(NotifySubscription.channel_id == channel_id)
    removed = await session.scalars(
        delete(NotifySubscription).where(*where).returning(NotifySubscription.channel_id)
    )
    return list(removed.all())


async def of_team(session: AsyncSession, team_id: str) -> Sequence[NotifySubscription]:
    """The workspace's subscriptions, by event type, then channel (no channel first)."""
    row = NotifySubscription
    query = (
        select(row)
        .where(row.team_id == team_id)
        .order_by(row.event_type, row.channel_id.is_not(None), row.channel_id)
    )
    return (await session.scalars(query)).all()


async def matching(
    session: AsyncSession, *, team_id: str | None, patterns: Collection[str]
) -> Sequence[NotifySubscription]:
    """Subscriptions to any of `patterns` (an event type and its groups), of `team_id`, or of
    every workspace when None; oldest first."""
    query = select(NotifySubscription).where(NotifySubscription.event_type.in_(list(patterns)))
    if team_id is not None:
        query = query.where(NotifySubscription.team_id == team_id)
    return (await session.scalars(query.order_by(NotifySubscription.id))).all()


async def chosen_patterns(session: AsyncSession) -> set[str]:
    """Every event type or group (`payout.*`) any workspace subscribed to."""
    return set((await session.scalars(select(NotifySubscription.event_type).distinct())).all())
