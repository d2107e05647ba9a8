"""A fee recorded by a webhook while a refund of its charge records it too never deadlocks.

Found by `make chaos` on PostgreSQL: the `application_fee.refunded` handler wrote the fee's row
and then the charge's `fee_refunded`, while a refund settling (which holds its charge) wrote
the same fee's row: each waited for the other's lock until PostgreSQL aborted one ("deadlock
detected", https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-DEADLOCKS:
"the best defense against deadlocks is ... to ensure that all applications using a database
acquire locks on multiple objects in a consistent order"). `fees.record` takes the charge first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, session_factory
from storage.models import ApplicationFee, Charge, Vendor
from storage.repos import fees

FEE: dict[str, Any] = {
    "id": "fee_1",
    "object": "application_fee",
    "charge": "ch_1",
    "account": "acct_1",
    "amount": 1000,
    "amount_refunded": 500,
    "currency": "usd",
    "created": 1_764_000_000,
}


async def _a_charge(engine: AsyncEngine) -> None:
    async with session_factory(engine).begin() as session:
        vendor = Vendor(team_id="T1", slack_user_id="U1", stripe_account_id="acct_1")
        vendor.status = "connected"
        session.add(vendor)
        await session.flush()
        session.add(
            Charge(
                id="cb_ch_1",
                team_id="T1",
                vendor_id=vendor.id,
                requested_by="U2",
                amount=10000,
                currency="usd",
                application_fee_amount=1000,
                idempotency_key="key_1",
                status="succeeded",
                stripe_charge_id="ch_1",
            )
        )


async def test_the_webhook_and_a_refund_record_the_same_fee_at_once(
    engine: AsyncEngine, database_url: str
) -> None:
    await _a_charge(engine)
    other = create_engine(database_url)  # a second process's connection pool
    try:

        async def refund_settling() -> None:  # holds its charge, then records the fee
            async with session_factory(engine).begin() as session:
                await session.execute(
                    select(Charge).where(Charge.id == "cb_ch_1").with_for_update()
                )
                await asyncio.sleep(0.4)  # the webhook starts meanwhile
                await fees.record(session, FEE)

        async def webhook() -> None:
            await asyncio.sleep(0.1)
            async with session_factory(other).begin() as session:
                await fees.record(session, {**FEE, "amount_refunded": 600})

        await asyncio.gather(refund_settling(), webhook())
        async with session_factory(engine)() as session:
            fee = await session.get(ApplicationFee, "fee_1")
            charge = await session.get(Charge, "cb_ch_1")
        assert fee is not None and fee.amount_refunded == 600
        assert charge is not None and charge.fee_refunded == 600
    finally:
        await other.dispose()
