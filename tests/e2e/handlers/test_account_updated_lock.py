"""`account.updated` locks its vendor's row once per event, whatever the event changes.

The capabilities and what Stripe needs from the vendor are both recorded under that one lock,
so a charges flip and new requirements in one update are each told once, and nothing else
about the vendor is read again inside the event's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import ClauseElement

from storage.models import StripeEvent, Vendor
from tests.e2e.scenario import connected_vendor
from tests.harness import OPS_CHANNEL, Connectbot

VERA, VERA_CHANNEL = "U0VERA", "C0VERA"


@contextmanager
def vendor_locks() -> Iterator[list[str]]:
    """Every ORM statement that reads the vendors table FOR UPDATE while inside (rendered for
    PostgreSQL, where the lock is real, so SQLite runs count the same statements)."""
    seen: list[str] = []

    def record(state: ORMExecuteState) -> None:
        if not state.is_select or Vendor.__mapper__ not in state.all_mappers:
            return
        statement = state.statement
        assert isinstance(statement, ClauseElement)
        sql = str(statement.compile(dialect=postgresql.dialect()))
        if "FOR UPDATE" in sql:
            seen.append(sql)

    event.listen(Session, "do_orm_execute", record)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", record)


async def handled_updates(cb: Connectbot) -> int:
    async with cb.sessions() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(StripeEvent)
                .where(StripeEvent.type == "account.updated", StripeEvent.processed_at.is_not(None))
            )
            or 0
        )


async def test_one_lock_per_update_and_each_change_told_once(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VERA, channel_id=VERA_CHANNEL)
    account = vendor.stripe_account_id
    await cb.settled()
    before = await handled_updates(cb)
    with vendor_locks() as locks:
        # One update that both turns charges off and brings requirements due.
        await cb.stripe.set_account(
            account,
            charges_enabled=False,
            requirements={"currently_due": ["individual.dob.day"], "disabled_reason": None},
        )
        await cb.settled()
    updates = await handled_updates(cb) - before
    assert updates >= 1
    assert len(locks) == updates, locks
    texts: list[tuple[str, str]] = [
        (c["params"]["channel"], str(c["params"].get("text", ""))) for c in await cb.posted()
    ]
    flips = [ch for ch, text in texts if "can no longer take payments" in text]
    asked = [ch for ch, text in texts if "Stripe needs more information" in text]
    assert sorted(asked) == sorted([VERA_CHANNEL, OPS_CHANNEL, f"D{VERA}"]), texts
    assert flips == [VERA_CHANNEL], texts
    async with cb.sessions() as session:
        row: Any = await session.get(Vendor, vendor.id)
    assert row.charges_enabled is False and row.requirements_told is not None
