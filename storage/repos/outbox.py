"""The outbox: Slack messages written with the change that caused them, sent later, once.

`enqueue` runs inside the caller's transaction, so a message exists exactly when its cause was
committed. The relay then `claim`s due messages under a lease (FOR UPDATE SKIP LOCKED on
PostgreSQL, a conditional UPDATE everywhere), so several processes never hold the same message,
and per target only the oldest unsent message is ever claimed, which keeps each channel in order.
The holder renews the lease while a send is in flight; a crashed holder's lease simply expires.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.db import OUTBOX_WRITTEN
from storage.models import OutboxMessage, utcnow
from storage.repos.dialect import insert_ignoring_duplicates

KINDS = ("post", "dm", "ephemeral", "update", "private")


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    target: str
    payload: dict[str, Any]
    attempts: int
    token: str


async def enqueue(
    session: AsyncSession, *, kind: str, target: str, payload: dict[str, Any], dedupe_key: str
) -> None:
    """Queue a message in the caller's transaction; a second message with `dedupe_key` is dropped.

    `kind`: post (channel message), dm (to a user id), ephemeral (`payload["user"]` sees it),
    update (edit the message `payload["ts"]` in channel `target`), private (to the user id
    `target` only: through `payload["response_url"]` while it is good, else by DM). Refuses
    unknown kinds.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    session.info[OUTBOX_WRITTEN] = True  # lets the relay start at commit instead of at its poll
    await session.execute(
        insert_ignoring_duplicates(
            session,
            OutboxMessage,
            "dedupe_key",
            dedupe_key=dedupe_key,
            kind=kind,
            target=target,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
    )


async def claim(
    session: AsyncSession, *, limit: int, lease: timedelta, now: datetime | None = None
) -> list[Claimed]:
    """Lease up to `limit` messages due at `now` (default: the current time), each the oldest
    unsent one for its target."""
    now = now or utcnow()
    free = _free(now)
    candidates = _due(now).limit(limit).with_for_update(skip_locked=True)
    ids = list((await session.scalars(candidates)).all())
    if not ids:
        return []
    token = secrets.token_hex(16)
    leased = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending", free)
        .values(locked_until=now + lease, claim_token=token)
        .returning(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.target,
            OutboxMessage.payload,
            OutboxMessage.attempts,
        )
    )
    rows = sorted(leased.all(), key=lambda r: r.id)
    return [Claimed(r.id, r.kind, r.target, r.payload, r.attempts, token) for r in rows]


async def any_due(session: AsyncSession, *, now: datetime | None = None) -> bool:
    """Whether `claim` would find a message due at `now`, read without locking anything: a
    relay checks this first, so an idle poll never waits for (nor holds) SQLite's write turn.
    A message that becomes due just after is found at the next poll or wake-up."""
    return (await session.scalar(_due(now or utcnow()).limit(1))) is not None


def _free(now: datetime) -> Any:
    return or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)


def _due(now: datetime) -> Select[Any]:
    """Ids of messages due at `now` and not leased, each the oldest pending for its target,
    oldest first."""
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        earlier.target == OutboxMessage.target,
        earlier.status == "pending",
        earlier.id < OutboxMessage.id,
    )
    return (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .where(_free(now), ~blocked)
        .order_by(OutboxMessage.id)
    )


def _held(message: Claimed) -> Any:
    return (
        (OutboxMessage.id == message.id)
        & (OutboxMessage.status == "pending")
        & (OutboxMessage.claim_token == message.token)
    )


async def renew(
    session: AsyncSession, message: Claimed, *, lease: timedelta, now: datetime | None = None
) -> bool:
    """Extend the lease from `now`; False when it was lost (expired and taken by another
    process)."""
    result = await session.execute(
        update(OutboxMessage).where(_held(message)).values(locked_until=(now or utcnow()) + lease)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, messages: Sequence[Claimed]) -> None:
    """Hand back leases never used (a stopping relay's unsent claims): due again at once.

    Only leases still held under the claim's token are released; one taken over meanwhile by
    another process stays with it.
    """
    for token in {m.token for m in messages}:
        ids = [m.id for m in messages if m.token == token]
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == "pending",
                OutboxMessage.claim_token == token,
            )
            .values(locked_until=None, claim_token=None)
        )


async def mark_sent(session: AsyncSession, message: Claimed, *, ts: str | None) -> bool:
    """Record the message as sent; False if the lease was lost meanwhile."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_held(message))
        .values(status="sent", sent_ts=ts, sent_at=utcnow(), locked_until=None, claim_token=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_failed(
    session: AsyncSession,
    message: Claimed,
    *,
    error: str,
    retry_at: datetime | None,
    counts: bool = True,
) -> None:
    """Record a failed attempt: retry at `retry_at`, or give up (`dead`) when it is None.

    `counts=False` (waiting for the message an edit edits) leaves the attempt count alone.
    """
    values: dict[str, Any] = {
        "attempts": OutboxMessage.attempts + (1 if counts else 0),
        "last_error": error[:2000],
        "locked_until": None,
        "claim_token": None,
    }
    if retry_at is None:
        values["status"] = "dead"
    else:
        values["next_attempt_at"] = retry_at
    await session.execute(update(OutboxMessage).where(_held(message)).values(**values))


@dataclass(frozen=True)
class Original:
    """The message an edit (`update_of`) edits, as it stands."""

    id: int
    status: str  # pending | sent | dead
    sent_ts: str | None
    next_attempt_at: datetime
    last_error: str | None


async def original(session: AsyncSession, dedupe_key: str) -> Original | None:
    """The queued message with `dedupe_key`, or None when there is none."""
    row = (
        await session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.status,
                OutboxMessage.sent_ts,
                OutboxMessage.next_attempt_at,
                OutboxMessage.last_error,
            ).where(OutboxMessage.dedupe_key == dedupe_key)
        )
    ).first()
    return None if row is None else Original(*row)


async def oldest_pending(session: AsyncSession) -> datetime | None:
    """When the oldest message still pending was queued (None when nothing is pending)."""
    return await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending")
    )


async def counts(session: AsyncSession) -> dict[str, int]:
    """Messages per status (pending, sent, dead), for /healthz."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {str(row[0]): int(row[1]) for row in rows.all()}
