"""The cheap reads the relay and the event processor do before claiming (`any_due`): they say
there is something to claim exactly when `claim` would find it, and lock nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import utcnow
from storage.repos import events, outbox

LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3


async def test_outbox_any_due_agrees_with_claim(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    now = utcnow() + timedelta(seconds=1)
    async with sessions() as session:
        assert not await outbox.any_due(session, now=now)
    async with sessions.begin() as session:
        await outbox.enqueue(session, kind="post", target="C1", payload={}, dedupe_key="a")
        await outbox.enqueue(session, kind="post", target="C1", payload={}, dedupe_key="b")
    async with sessions() as session:
        assert await outbox.any_due(session, now=now)
        assert not await outbox.any_due(session, now=now - timedelta(minutes=5))  # not yet due
    async with sessions.begin() as session:
        assert len(await outbox.claim(session, limit=10, lease=LEASE, now=now)) == 1
    # The first is leased and the second waits behind it (one at a time per channel).
    async with sessions() as session:
        assert not await outbox.any_due(session, now=now)
        assert await outbox.any_due(session, now=now + LEASE + timedelta(seconds=1))


async def test_events_any_due_agrees_with_claim(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session:
        assert not await events.any_due(session, max_attempts=MAX_ATTEMPTS)
    received = {"id": "evt_1", "type": "balance.available", "object": "event", "livemode": False}
    async with sessions.begin() as session:
        assert await events.store_many(session, [received, dict(received)]) == {"evt_1"}
    async with sessions() as session:
        assert await events.any_due(session, max_attempts=MAX_ATTEMPTS)
        assert await events.unprocessed_payloads(session, ["evt_1", "evt_2"]) == {"evt_1": received}
    async with sessions.begin() as session:
        claimed = await events.claim(session, limit=5, lease=LEASE, max_attempts=MAX_ATTEMPTS)
    assert claimed == [("evt_1", 0)]
    async with sessions() as session:  # leased: nothing left to claim
        assert not await events.any_due(session, max_attempts=MAX_ATTEMPTS)
    async with sessions.begin() as session:
        event = await events.lock_unprocessed(session, "evt_1")
        assert event is not None
        events.mark_processed(event)
    async with sessions() as session:
        assert not await events.any_due(session, max_attempts=MAX_ATTEMPTS)
        assert await events.unprocessed_payloads(session, ["evt_1"]) == {}
