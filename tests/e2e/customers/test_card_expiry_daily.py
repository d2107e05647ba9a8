"""The daily check for saved cards about to expire runs once a day across processes: in the one
that wins the day's digest, never again that day in any other."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from bot.customers.expiry import expiry_key
from bot.daily_digest import DailyDigest
from bot.services import SERVICES, Services
from storage.db import create_engine, session_factory
from storage.models import AuditEntry, Customer, OutboxMessage
from tests.e2e.scenario import customer_with_card
from tests.harness import OPS_CHANNEL, Connectbot


def a_day_ahead() -> date:
    """The 10th of the month after next: after connectbot's first start (so its digest is
    due), and with days of the same month after it."""
    today = datetime.now(UTC).date()
    return (today.replace(day=1) + timedelta(days=62)).replace(day=10)


async def checks(cb: Connectbot) -> list[str]:
    """The days of every card check, from the audit log."""
    async with cb.sessions() as session:
        found = await session.scalars(
            select(AuditEntry.target)
            .where(AuditEntry.action == "cards.expiring_checked")
            .order_by(AuditEntry.id)
        )
        return [str(day) for day in found.all()]


async def test_two_processes_check_expiring_cards_once_a_day(cb: Connectbot) -> None:
    day = a_day_ahead()
    jane = await customer_with_card(cb, "jane@example.com")
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Customer)
            .where(Customer.id == jane.id)
            .values(card_exp_month=day.month, card_exp_year=day.year)
        )
    services = cb.app[SERVICES]
    # A second "process": its own engine and connection pool on the same database.
    other_engine = create_engine(cb.settings.database_url)
    other: Services = dataclasses.replace(
        services, engine=other_engine, sessions=session_factory(other_engine)
    )
    now = datetime.combine(day, time(9, 1), tzinfo=UTC)  # just after DIGEST_TIME
    one = DailyDigest(services, clock=lambda: now)
    two = DailyDigest(other, clock=lambda: now)
    try:
        # Both wake at once: one wins the digest and checks the cards; the other does neither.
        assert sorted(await asyncio.gather(one.one_pass(), two.one_pass())) == [0, 1]
        assert await checks(cb) == [day.isoformat()]
        # Every later pass that day, in either process, checks nothing.
        for hours in (1, 5, 14):
            now = datetime.combine(day, time(9, 1), tzinfo=UTC) + timedelta(hours=hours)
            assert await asyncio.gather(one.one_pass(), two.one_pass()) == [0, 0]
        assert await checks(cb) == [day.isoformat()]
        # The next day's digest, and its one check.
        now = datetime.combine(day + timedelta(days=1), time(9, 1), tzinfo=UTC)
        assert sorted(await asyncio.gather(two.one_pass(), one.one_pass())) == [0, 1]
        assert await checks(cb) == [day.isoformat(), (day + timedelta(days=1)).isoformat()]
    finally:
        await other_engine.dispose()

    key = expiry_key(jane.stripe_customer_id, "4242", day.year, day.month) + ":ops"
    async with cb.sessions() as session:
        keys = (
            await session.scalars(
                select(OutboxMessage.dedupe_key).where(
                    OutboxMessage.dedupe_key.like("card_expiring:%")
                )
            )
        ).all()
    assert list(keys) == [key]
    await cb.settled()
    told = [
        c["params"]
        for c in await cb.posted()
        if "The card on file for jane@example.com" in c["params"]["text"]
    ]
    assert [message["channel"] for message in told] == [OPS_CHANNEL]
