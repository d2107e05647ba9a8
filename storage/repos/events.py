"""Stripe events: stored once by id, handled later under a lease, marked processed once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StripeEvent, utcnow
from storage.repos.dialect import insert_ignoring_duplicates


async def store(session: AsyncSession, event: dict[str, Any]) -> bool:
    """Store a verified event; False when this id was already stored (a duplicate delivery)."""
    return event["id"] in await store_many(session, [event])


async def store_many(session: AsyncSession, received: Sequence[dict[str, Any]]) -> set[str]:
    """Store verified events in one statement; the ids stored now (the others were already).

    An id given twice is stored once. Refuses nothing itself: a database error leaves the whole
    statement undone, for the caller to answer so that Stripe delivers every event again.
    """
    if not received:
        return set()
    now = utcnow()
    # In id order: a row another transaction inserted but has not committed makes this insert
    # wait for it (PostgreSQL's ON CONFLICT), so two servers storing overlapping bursts in
    # different orders would wait on each other until PostgreSQL aborted one ("deadlock
    # detected"). One order for everyone: the later one only waits.
    rows = [
        {
            "id": event["id"],
            "type": event["type"],
            "account": event.get("account"),
            "livemode": bool(event.get("livemode")),
            "payload": event,
            "received_at": now,
            "attempts": 0,
        }
        for event in sorted(received, key=lambda e: str(e["id"]))
    ]
    # The table, not the mapped class: Core's executemany (one multi-row INSERT, its statement
    # cached) skips the ORM's bulk-insert bookkeeping, a third of a batch's insert time.
    table = StripeEvent.__table__
    statement = insert_ignoring_duplicates(session, table, "id").returning(table.c.id)
    connection = await session.connection()
    return set((await connection.execute(statement, rows)).scalars().all())


async def claim(
    session: AsyncSession, *, limit: int, lease: timedelta, max_attempts: int
) -> list[tuple[str, int]]:
    """Lease up to `limit` unprocessed, due events (oldest first): (id, attempts so far)."""
    now = utcnow()
    free = _free(now)
    candidates = _due(now, max_attempts).limit(limit).with_for_update(skip_locked=True)
    ids = list((await session.scalars(candidates)).all())
    if not ids:
        return []
    leased = await session.execute(
        update(StripeEvent)
        .where(StripeEvent.id.in_(ids), StripeEvent.processed_at.is_(None), free)
        .values(locked_until=now + lease)
        .returning(StripeEvent.id, StripeEvent.attempts)
    )
    return sorted(((r.id, r.attempts) for r in leased.all()), key=lambda r: ids.index(r[0]))


async def any_due(session: AsyncSession, *, max_attempts: int) -> bool:
    """Whether `claim` would find an event, read without locking anything: the processor
    checks this first, so a pass with nothing to do never waits for SQLite's write turn."""
    return (await session.scalar(_due(utcnow(), max_attempts).limit(1))) is not None


def _free(now: datetime) -> Any:
    return or_(StripeEvent.locked_until.is_(None), StripeEvent.locked_until < now)


def _due(now: datetime, max_attempts: int) -> Select[Any]:
    """Ids of unprocessed events due at `now`, not leased, below the attempts bound, oldest
    first."""
    due = or_(StripeEvent.next_attempt_at.is_(None), StripeEvent.next_attempt_at <= now)
    return (
        select(StripeEvent.id)
        .where(StripeEvent.processed_at.is_(None), StripeEvent.attempts < max_attempts)
        .where(due, _free(now))
        .order_by(StripeEvent.received_at, StripeEvent.id)
    )


async def unprocessed_payloads(
    session: AsyncSession, event_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The stored payloads of those of `event_ids` not yet processed, by id (locks nothing)."""
    rows = await session.execute(
        select(StripeEvent.id, StripeEvent.payload).where(
            StripeEvent.id.in_(event_ids), StripeEvent.processed_at.is_(None)
        )
    )
    return {row.id: row.payload for row in rows}


async def lock_unprocessed(session: AsyncSession, event_id: str) -> StripeEvent | None:
    """The event row, locked for this transaction, or None if it was processed meanwhile."""
    event = await session.get(StripeEvent, event_id, with_for_update=True, populate_existing=True)
    return event if event is not None and event.processed_at is None else None


def mark_processed(event: StripeEvent) -> None:
    """Mark handled, in the handler's own transaction: it commits with the handler's effects."""
    event.processed_at = utcnow()
    event.attempts += 1
    event.locked_until = None


async def release(session: AsyncSession, claims: Sequence[tuple[str, int]]) -> None:
    """Hand back claims never used (a stopping processor's unhandled ones): due again at once.

    Safe even if another process took one over meanwhile: handling locks the row
    (`lock_unprocessed`) and skips an event already processed.
    """
    if claims:
        await session.execute(
            update(StripeEvent)
            .where(
                StripeEvent.id.in_([event_id for event_id, _ in claims]),
                StripeEvent.processed_at.is_(None),
            )
            .values(locked_until=None)
        )


async def mark_failed(
    session: AsyncSession, event_id: str, *, error: str, retry_at: datetime
) -> None:
    await session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id, StripeEvent.processed_at.is_(None))
        .values(
            attempts=StripeEvent.attempts + 1,
            last_error=error[:2000],
            next_attempt_at=retry_at,
            locked_until=None,
        )
    )


async def failed_count(session: AsyncSession, *, max_attempts: int) -> int:
    """Events that exhausted their attempts without being handled, for /healthz."""
    return int(
        await session.scalar(
            select(func.count()).where(
                StripeEvent.processed_at.is_(None), StripeEvent.attempts >= max_attempts
            )
        )
        or 0
    )
