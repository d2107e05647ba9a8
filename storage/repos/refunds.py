"""Refunds of charges: one row per request, written `pending` before Stripe is called.

The refund's idempotency key is unique, so a retried request maps to the same row (and, sent
again under that key, to the same Stripe refund). A refund's amount is added to its charge only
by whoever settles the row (a conditional update), so the listener and the webhook can both see
a refund without counting it twice. Each row's `fee_refunded` is the part of Stripe's fee
refunds attributed to it (see bot/refunds/fee_refunds.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Charge, Refund, utcnow
from storage.repos.dialect import insert_ignoring_duplicates


async def pending_total(session: AsyncSession, charge_id: str) -> int:
    """What refunds still in flight for `charge_id` add up to."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.charge_id == charge_id, Refund.status == "pending"
        )
    )
    return int(total or 0)


async def add_pending(session: AsyncSession, **values: Any) -> tuple[Refund, bool]:
    """Insert the refund unless its idempotency key exists: (the stored row, whether new)."""
    now = utcnow()
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    values.setdefault("fee_refunded", 0)
    values.setdefault("status", "pending")
    result = await session.execute(
        insert_ignoring_duplicates(session, Refund, "idempotency_key", **values)
    )
    stored = await session.scalar(
        select(Refund)
        .where(Refund.idempotency_key == values["idempotency_key"])
        .execution_options(populate_existing=True)
    )
    assert stored is not None
    return stored, bool(result.rowcount)  # type: ignore[attr-defined]


async def settle(
    session: AsyncSession,
    refund_id: int,
    *,
    status: str,
    stripe_refund_id: str | None = None,
    fee_refunded: int = 0,
    failure_message: str | None = None,
) -> bool:
    """Move a pending refund to `succeeded` or `failed`; False if it was already settled."""
    result = await session.execute(
        update(Refund)
        .where(Refund.id == refund_id, Refund.status == "pending")
        .values(
            status=status,
            stripe_refund_id=stripe_refund_id,
            fee_refunded=fee_refunded,
            failure_message=failure_message,
            updated_at=utcnow(),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def note_pending(session: AsyncSession, refund_id: int, note: str) -> None:
    """Keep `note` in a still-`pending` refund's `failure_message` (what a try without an answer
    taught, e.g. that Stripe replays a saved error for its key); settling overwrites it."""
    await session.execute(
        update(Refund)
        .where(Refund.id == refund_id, Refund.status == "pending")
        .values(failure_message=note, updated_at=utcnow())
    )


async def add_to_charge(session: AsyncSession, charge_id: str, *, amount: int) -> None:
    """Count a settled refund's amount on its charge (call once, after `settle` said True).

    The charge's `fee_refunded` is not touched here: it is what Stripe's application fee says
    (`storage.repos.fees.record`), never what connectbot expected a refund to return.
    """
    await session.execute(
        update(Charge)
        .where(Charge.id == charge_id)
        .values(amount_refunded=Charge.amount_refunded + amount, updated_at=utcnow())
    )


async def fee_attributed(session: AsyncSession, charge_id: str) -> int:
    """The fee refunds already attributed to `charge_id`'s succeeded refunds, summed."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Refund.fee_refunded), 0)).where(
            Refund.charge_id == charge_id, Refund.status == "succeeded"
        )
    )
    return int(total or 0)


async def claim_stale(session: AsyncSession, refund_id: int, *, before: Any) -> bool:
    """Take the refund for one reconciliation try: True for exactly one of several claimants
    (one per process). Touching `updated_at` is the lease: nobody else sees the row as stale
    until it ages again."""
    result = await session.execute(
        update(Refund)
        .where(Refund.id == refund_id, Refund.status == "pending", Refund.updated_at < before)
        .values(updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def stale_pending(session: AsyncSession, *, before: Any, limit: int) -> list[int]:
    """Pending refunds older than `before`: sent, but with no answer recorded."""
    rows = await session.scalars(
        select(Refund.id)
        .where(Refund.status == "pending", Refund.updated_at < before)
        .order_by(Refund.id)
        .limit(limit)
    )
    return list(rows.all())
