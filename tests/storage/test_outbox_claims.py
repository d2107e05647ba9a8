"""The outbox's lease, tested directly on each backend: a message is held by one claimer at a time.

`claim` leases due messages (the oldest pending one per target), `mark_sent` only counts for
the holder of the lease, and an expired lease can be taken over. Two relays on two engines (two
processes' connection pools) claiming at once never both get the same message.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, utcnow
from storage.repos import outbox

LEASE = timedelta(seconds=30)


async def queue(sessions: async_sessionmaker[AsyncSession], *targets: str, key: str = "m") -> None:
    async with sessions.begin() as session:
        for n, target in enumerate(targets):
            await outbox.enqueue(
                session,
                kind="post",
                target=target,
                payload={"text": f"{n}"},
                dedupe_key=f"{key}{n}",
            )


async def claim(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime, limit: int = 10
) -> list[outbox.Claimed]:
    async with sessions.begin() as session:
        return await outbox.claim(session, limit=limit, lease=LEASE, now=now)


async def sent(sessions: async_sessionmaker[AsyncSession], message: outbox.Claimed) -> bool:
    async with sessions.begin() as session:
        return await outbox.mark_sent(session, message, ts="1.000100")


async def test_a_leased_message_is_not_claimed_again_until_the_lease_expires(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    await queue(sessions, "C1", "C2")
    now = utcnow() + timedelta(seconds=1)
    first = await claim(sessions, now=now)
    assert [m.target for m in first] == ["C1", "C2"]
    assert [m.payload for m in first] == [{"text": "0"}, {"text": "1"}]
    assert await claim(sessions, now=now) == []
    assert await claim(sessions, now=now + LEASE - timedelta(seconds=1)) == []
    # The holder crashed: once the lease is over another relay takes the messages, with its
    # own token, and the old holder's late mark no longer counts.
    taken = await claim(sessions, now=now + LEASE + timedelta(seconds=1))
    assert [m.id for m in taken] == [m.id for m in first]
    assert {m.token for m in taken}.isdisjoint({m.token for m in first})
    assert not await sent(sessions, first[0])
    assert await sent(sessions, taken[0])
    assert not await sent(sessions, taken[0])  # marked once
    async with sessions() as session:
        rows = {r.target: r for r in (await session.scalars(select(OutboxMessage))).all()}
    assert (rows["C1"].status, rows["C1"].sent_ts, rows["C1"].locked_until) == (
        "sent",
        "1.000100",
        None,
    )
    assert rows["C1"].claim_token is None and rows["C1"].sent_at is not None
    assert rows["C2"].status == "pending" and rows["C2"].claim_token == taken[1].token


async def test_a_sent_message_is_never_claimed_and_the_next_in_its_channel_is(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    await queue(sessions, "C1", "C1", "C1")
    now = utcnow() + timedelta(seconds=1)
    (head,) = await claim(sessions, now=now)  # only the oldest of the channel
    assert head.payload == {"text": "0"}
    assert await sent(sessions, head)
    later = now + LEASE * 2  # long after any lease: a sent message stays sent
    (second,) = await claim(sessions, now=later)
    assert second.payload == {"text": "1"} and second.id != head.id


async def test_a_message_is_not_claimed_before_it_is_due(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    await queue(sessions, "C1")
    now = utcnow() + timedelta(seconds=1)
    (message,) = await claim(sessions, now=now)
    retry_at = now + timedelta(minutes=5)
    async with sessions.begin() as session:
        await outbox.mark_failed(session, message, error="ratelimited", retry_at=retry_at)
    assert await claim(sessions, now=retry_at - timedelta(seconds=1)) == []
    (again,) = await claim(sessions, now=retry_at)
    assert again.id == message.id and again.attempts == 1
    assert not await sent(sessions, message)  # the failed attempt's lease is gone


async def test_two_relays_on_two_engines_claim_each_message_once(
    engine: AsyncEngine, database_url: str
) -> None:
    """Both relays race through 40 messages in small batches without ever marking one sent:
    only the lease keeps the second relay off what the first holds."""
    sessions = session_factory(engine)
    await queue(sessions, *(f"C{n:02}" for n in range(40)))
    other = create_engine(database_url)  # a second process's connection pool
    now = utcnow() + timedelta(seconds=1)
    try:

        async def relay(on: async_sessionmaker[AsyncSession]) -> list[int]:
            held: list[int] = []
            for _ in range(40):  # bounded: a claim that ignored leases would never run dry
                batch = await claim(on, now=now, limit=4)
                if not batch:
                    break
                held += [m.id for m in batch]
                await asyncio.sleep(0)
            return held

        claims = await asyncio.gather(
            relay(sessions), relay(session_factory(other)), relay(sessions)
        )
    finally:
        await other.dispose()
    every = [i for held in claims for i in held]
    assert len(every) == 40 and len(set(every)) == 40, claims
