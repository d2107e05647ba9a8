"""One refund settled by two processes at once never deadlocks, whatever each read of its fee.

A refund Stripe did not answer is settled by whoever gets Stripe's answer: the listener, or
any process's reconciler (each replays it under its key; refunds are not claimed). Each reads
the charge's application fee first. One that could read it records the fee, which locks the
charge (`storage.repos.fees.record`) before the refund's row is settled; one that could not
read it (Stripe answered 500) went straight to the refund's row and then to the charge's. Two
such settlers of one refund each held the row the other wanted next until PostgreSQL aborted
one ("deadlock detected", https://www.postgresql.org/docs/current/explicit-locking.html
#LOCKING-DEADLOCKS: "acquire locks on multiple objects in a consistent order"): a traceback,
and a refund whose answer was lost once more. Settling a refund takes its charge first.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.refunds.fee_refunds import fee_returned
from bot.refunds.requests import recover_refund
from bot.services import SERVICES
from bot.stripe_ops.fees import application_fee_of
from storage.db import create_engine, is_sqlite, session_factory
from storage.models import Charge, Refund
from storage.repos import charges, refunds
from tests.e2e.scenario import (
    charge_row,
    charge_through_modal,
    connected_vendor,
    customer_with_card,
    refund,
    stripe_state,
)
from tests.harness import OPERATOR, Connectbot

VERA, VERA_CHANNEL = "U0VERA", "C0VERA"


async def blocked_by(cb: Connectbot, session: AsyncSession) -> None:
    """Return once another connection waits for a lock `session`'s transaction holds (on
    SQLite, whose writers take turns, after a moment for the other writer to start waiting)."""
    if is_sqlite(cb.settings.database_url):
        await asyncio.sleep(0.3)
        return
    pid = await session.scalar(text("SELECT pg_backend_pid()"))
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
    ).bindparams(pid=pid)

    async def someone_waits() -> bool:
        async with cb.sessions() as reader:
            return bool(await reader.scalar(query))

    await cb.until(someone_waits, timeout=10, what="the other settler to wait for this one")


async def test_two_processes_settling_one_refund_take_turns(
    cb: Connectbot, database_url: str
) -> None:
    vendor = await connected_vendor(cb, VERA, channel_id=VERA_CHANNEL)
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    assert charge.status == "succeeded"
    # Stripe makes the refund, but every answer to it is lost: it stays `pending`.
    await cb.stripe.fault("POST", "/v1/refunds", "drop", count=3)
    assert "will retry it with the same key" in await refund(cb, f"{charge.id} 25")
    # Its webhooks are handled (`charge.refunded` waits for the refund's answer until it gives
    # up), so that nothing but the two settlers locks the charge below.
    await cb.events_handled()
    async with cb.sessions() as session:
        [pending] = (await session.scalars(select(Refund))).all()
    assert pending.status == "pending"
    services = cb.app[SERVICES]
    reading = await application_fee_of(services.stripe, str(charge.stripe_charge_id))
    assert reading.known and reading.fee is not None
    [made] = (
        await services.stripe.api.v1.refunds.list_async(
            params={"payment_intent": str(charge.payment_intent_id)},
            options={"stripe_account": vendor.stripe_account_id},
        )
    ).data
    # Here (the reconciler below) the fee can't be read: its settling records no fee.
    await cb.stripe.fault("GET", "/v1/application_fees", "500", count=3)

    other = create_engine(database_url)  # a second process's connection pool
    holds_charge = asyncio.Event()
    try:

        async def other_process_settling() -> None:
            """The other process got Stripe's answer and read the fee: it records the fee
            (locking the charge), then settles the refund, as `record_refund_attempt` does."""
            async with session_factory(other).begin() as session:
                row = await charges.by_id(session, charge.id)
                assert row is not None
                share = await fee_returned(session, row, reading.fee, at_most=250)
                holds_charge.set()
                await blocked_by(cb, session)  # the reconciler here has reached the rows
                if await refunds.settle(
                    session,
                    pending.id,
                    status="succeeded",
                    stripe_refund_id=made.id,
                    fee_refunded=share,
                ):
                    await refunds.add_to_charge(session, charge.id, amount=pending.amount)

        async def reconciler_here() -> None:
            await holds_charge.wait()
            await recover_refund(services, pending.id)

        await asyncio.gather(other_process_settling(), reconciler_here())
    finally:
        await other.dispose()

    async with cb.sessions() as session:
        settled = await session.get(Refund, pending.id)
        row = await session.get(Charge, charge.id)
    assert settled is not None and settled.status == "succeeded"
    assert settled.stripe_refund_id == made.id and settled.fee_refunded == 250
    assert row is not None and row.amount_refunded == 2_500  # counted once
    await cb.events_handled()
    after = await charge_row(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (2_500, 250)
    assert await stripe_state(cb, charge, vendor) == (2_500, 250)
