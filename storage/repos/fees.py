"""Application fees as Stripe reports them: kept for /fees and the digest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApplicationFee, Charge, utcnow
from storage.repos.dialect import greatest, insert_ignoring_duplicates


async def record(session: AsyncSession, fee: dict[str, Any]) -> None:
    """Store or update a fee from its Stripe object; refunded amounts only ever grow.

    Events may come in any order: the first one seen creates the row, later ones can only
    raise `amount_refunded`. The charge's `fee_refunded` follows the same rule, and comes only
    from here: it is what Stripe refunded of the fee, whatever connectbot expected. Locks the
    charge (when connectbot knows it) before the fee, the order every writer of both keeps.
    """
    charge = fee.get("charge")
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    account = fee.get("account")
    account_id = account.get("id") if isinstance(account, dict) else account
    refunded = int(fee.get("amount_refunded") or 0)
    created = fee.get("created")
    if charge_id:
        # The charge's lock before the fee's row: a refund settling holds its charge and then
        # records the fee, so taking them the other way round here deadlocked on PostgreSQL.
        await session.execute(
            select(Charge.id).where(Charge.stripe_charge_id == charge_id).with_for_update()
        )
    await session.execute(
        insert_ignoring_duplicates(
            session,
            ApplicationFee,
            "id",
            id=fee["id"],
            stripe_account_id=str(account_id),
            stripe_charge_id=charge_id,
            amount=int(fee["amount"]),
            amount_refunded=refunded,
            currency=str(fee["currency"]).lower(),
            created_at=datetime.fromtimestamp(created, UTC) if created else utcnow(),
            updated_at=utcnow(),
        )
    )
    await session.execute(
        update(ApplicationFee)
        .where(ApplicationFee.id == fee["id"])
        .values(amount_refunded=greatest(session, ApplicationFee.amount_refunded, refunded))
    )
    if charge_id:
        await session.execute(
            update(Charge)
            .where(Charge.stripe_charge_id == charge_id)
            .values(fee_refunded=greatest(session, Charge.fee_refunded, refunded))
        )


async def catch_up_charge(session: AsyncSession, charge_id: str, stripe_charge_id: str) -> None:
    """Give a charge whose Stripe charge id was just recorded the fee refunds already known.

    An `application_fee.refunded` event may come before connectbot knew which charge it
    belongs to; its refunded amount was stored on the fee row only, and is carried over here.
    """
    known = (
        select(func.coalesce(func.max(ApplicationFee.amount_refunded), 0))
        .where(ApplicationFee.stripe_charge_id == stripe_charge_id)
        .scalar_subquery()
    )
    await session.execute(
        update(Charge)
        .where(Charge.id == charge_id)
        .values(fee_refunded=greatest(session, Charge.fee_refunded, known))
    )
