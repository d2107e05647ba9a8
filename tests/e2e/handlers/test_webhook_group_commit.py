"""Concurrent webhook deliveries are stored in shared transactions (group commit), each answered
only once its row is committed, and a failed transaction answers 503 to all of its deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select, text

from bot.services import SERVICES
from storage.models import StripeEvent
from tests.harness import WEBHOOK_SECRET, Connectbot
from tests.stripe_events import encode, event, sign


async def deliver(cb: Connectbot, body: dict[str, Any]) -> tuple[int, Any]:
    data = encode(body)
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(data, WEBHOOK_SECRET)}
    async with cb.http.post(f"{cb.url}/stripe/webhook", data=data, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


def balance(event_id: str) -> dict[str, Any]:
    return event("balance.available", {"object": "balance"}, event_id=event_id)


async def stored_ids(cb: Connectbot) -> dict[str, int]:
    async with cb.sessions() as session:
        rows = await session.execute(select(StripeEvent.id, func.count()).group_by(StripeEvent.id))
        return {str(i): int(n) for i, n in rows.all()}


async def test_concurrent_deliveries_share_transactions_and_each_is_stored_once(
    cb: Connectbot,
) -> None:
    group = cb.app[SERVICES].event_intake
    sessions = group._sessions
    transactions = 0

    @asynccontextmanager
    async def counted() -> AsyncIterator[Any]:
        nonlocal transactions
        transactions += 1
        async with sessions.begin() as session:
            yield session

    group._sessions = type("Counted", (), {"begin": staticmethod(counted)})()  # type: ignore[assignment]
    ids = [f"evt_group_{i:02}" for i in range(30)]
    # Every id twice, at once: the second delivery of each is a duplicate, in a batch or not.
    answers = await asyncio.gather(*(deliver(cb, balance(i)) for i in ids + ids))

    assert [status for status, _ in answers] == [200] * 60
    firsts = [a for _, a in answers if not a["duplicate"]]
    assert len(firsts) == 30
    assert {i: n for i, n in (await stored_ids(cb)).items() if i in ids} == dict.fromkeys(ids, 1)
    assert 1 <= transactions < 60  # deliveries arriving during a commit joined the next one


async def test_a_failed_batch_answers_503_to_each_delivery_and_stores_none_of_them(
    cb: Connectbot,
) -> None:
    await _refuse_event(cb, "evt_group_bad")
    good = [f"evt_group_ok_{i:02}" for i in range(20)]
    bodies = [balance(i) for i in good]
    bodies.insert(10, balance("evt_group_bad"))
    answers = await asyncio.gather(*(deliver(cb, b) for b in bodies))

    by_id = {b["id"]: answer for b, answer in zip(bodies, answers, strict=True)}
    assert by_id["evt_group_bad"] == (503, {"error": "temporarily unavailable"})
    stored = await stored_ids(cb)
    for event_id, (status, answer) in by_id.items():
        # 200 exactly when the row is durable; every other delivery of a failed batch is 503.
        if event_id in stored:
            assert (status, answer) == (200, {"received": True, "duplicate": False})
        else:
            assert (status, answer) == (503, {"error": "temporarily unavailable"})

    await _allow_events(cb)  # Stripe delivers the refused ones again: all stored, once
    retried = await asyncio.gather(*(deliver(cb, b) for b in bodies if b["id"] not in stored))
    assert all(status == 200 for status, _ in retried)
    assert {i: n for i, n in (await stored_ids(cb)).items() if i.startswith("evt_group")} == (
        dict.fromkeys([*good, "evt_group_bad"], 1)
    )


async def _refuse_event(cb: Connectbot, event_id: str) -> None:
    """A database that refuses to store one event id (a trigger raising an error)."""
    async with cb.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse_event BEFORE INSERT ON stripe_events "
                    f"WHEN NEW.id = '{event_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            await conn.execute(
                text(
                    "CREATE FUNCTION refuse_event() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.id = '{event_id}' THEN RAISE EXCEPTION 'refused'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse_event BEFORE INSERT ON stripe_events "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_event()"
                )
            )


async def _allow_events(cb: Connectbot) -> None:
    async with cb.engine.begin() as conn:
        await conn.execute(
            text(
                "DROP TRIGGER refuse_event"
                + ("" if conn.dialect.name == "sqlite" else " ON stripe_events")
            )
        )
