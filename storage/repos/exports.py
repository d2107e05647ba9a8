"""Charges one at a time for the CSV export, streamed from the database in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Charge, Customer, Vendor
from storage.repos.fee_selection import counted_charges

BATCH = 500


@dataclass(frozen=True, slots=True)
class ExportedCharge:
    """One counted charge as the export writes it; every amount in minor units."""

    id: str
    created_at: datetime
    vendor_user_id: str
    stripe_account_id: str
    payment_intent_id: str | None
    customer_email: str | None
    currency: str
    amount: int
    application_fee_amount: int
    amount_refunded: int
    fee_refunded: int
    description: str | None


async def stream_charges(
    session: AsyncSession,
    *,
    team_id: str | None,
    start: datetime,
    end: datetime,
    vendor_user_id: str | None = None,
    batch: int = BATCH,
) -> AsyncIterator[ExportedCharge]:
    """The charges /fees counts for the same arguments (`fee_selection.counted_charges`), oldest
    first (ties by id), `batch` rows at a time: a server-side cursor on PostgreSQL, so however
    long the period, only one batch is in memory. The session's transaction stays open while
    the caller iterates: write no Stripe or Slack call inside the loop."""
    query = (
        select(
            Charge.id,
            Charge.created_at,
            Vendor.slack_user_id,
            Vendor.stripe_account_id,
            Charge.payment_intent_id,
            Customer.email,
            Charge.currency,
            Charge.amount,
            Charge.application_fee_amount,
            Charge.amount_refunded,
            Charge.fee_refunded,
            Charge.description,
        )
        .join(Vendor, Vendor.id == Charge.vendor_id)
        .outerjoin(Customer, Customer.id == Charge.customer_id)
        .where(*counted_charges(team_id, start, end, vendor_user_id))
        .order_by(Charge.created_at, Charge.id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream(query)
    async for rows in result.partitions():
        for r in rows:
            yield ExportedCharge(
                id=r[0],
                created_at=r[1],
                vendor_user_id=r[2],
                stripe_account_id=r[3],
                payment_intent_id=r[4],
                customer_email=r[5],
                currency=r[6],
                amount=int(r[7]),
                application_fee_amount=int(r[8]),
                amount_refunded=int(r[9]),
                fee_refunded=int(r[10]),
                description=r[11],
            )
