"""Two servers storing overlapping bursts of Stripe events at once never deadlock.

Stripe delivers an event more than once and in any order (https://docs.stripe.com/webhooks,
"Handle duplicate events", "Event ordering"), so two processes' group commits can hold the same
event ids in opposite orders. An INSERT … ON CONFLICT DO NOTHING that meets a row another
transaction inserted but has not committed waits for that transaction
(https://www.postgresql.org/docs/current/sql-insert.html, "ON CONFLICT"): opposite orders would
wait on each other, and PostgreSQL would abort one with "deadlock detected" (a 503 to Stripe, a
traceback in the log, the event late by a whole redelivery).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, session_factory
from storage.models import StripeEvent
from storage.repos import events

ROUNDS, BURST = 20, 300


def _event(round_: int, n: int) -> dict[str, Any]:
    return {"id": f"evt_race_{round_:02d}_{n:03d}", "type": "charge.refunded", "livemode": False}


async def test_overlapping_bursts_in_opposite_orders_are_all_stored_once(
    engine: AsyncEngine, database_url: str
) -> None:
    other = create_engine(database_url)  # a second process's connection pool
    try:
        for round_ in range(ROUNDS):
            burst = [_event(round_, n) for n in range(BURST)]

            async def store(on: AsyncEngine, received: list[dict[str, Any]]) -> set[str]:
                async with session_factory(on).begin() as session:  # one batch, as GroupCommit
                    return await events.store_many(session, received)

            stored = await asyncio.gather(store(engine, burst), store(other, list(reversed(burst))))
            assert stored[0].isdisjoint(stored[1])
            assert stored[0] | stored[1] == {e["id"] for e in burst}
        async with session_factory(engine)() as session:
            count = await session.scalar(select(func.count()).select_from(StripeEvent))
        assert count == ROUNDS * BURST
    finally:
        await other.dispose()
