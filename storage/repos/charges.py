"""Charges: one row per charge attempt, keyed by its idempotency key, and their approvals.

A row is written before Stripe is called (`pending`, or `awaiting_approval` above the
threshold) and moves on only through the conditional updates below, so two processes (the
listener, a webhook, the reconciler) racing on one charge see exactly one winner per step.

Statuses: awaiting_approval → pending | rejected; pending → succeeded | failed |
requires_action; failed / requires_action → succeeded (the customer paid later).
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Approval, Charge, Vendor, utcnow
from storage.repos.dialect import insert_ignoring_duplicates
from storage.repos.fees import catch_up_charge

#: The statuses from which each outcome may be recorded.
SETTLES_FROM: dict[str, tuple[str, ...]] = {
    "succeeded": ("pending", "failed", "requires_action"),
    "failed": ("pending",),
    "requires_action": ("pending",),
}


def new_charge_id() -> str:
    """`cb_ch_` + 24 random base32 letters/digits (120 bits), lowercase: what /refund accepts."""
    return "cb_ch_" + b32encode(secrets.token_bytes(15)).decode().lower()


async def by_id(session: AsyncSession, charge_id: str) -> Charge | None:
    return await session.scalar(
        select(Charge).where(Charge.id == charge_id).execution_options(populate_existing=True)
    )


async def by_payment_intent(session: AsyncSession, payment_intent_id: str) -> Charge | None:
    return await session.scalar(
        select(Charge)
        .where(Charge.payment_intent_id == payment_intent_id)
        .execution_options(populate_existing=True)
    )


async def add(session: AsyncSession, **values: Any) -> tuple[Charge, bool]:
    """Insert the charge unless its `idempotency_key` exists; (stored row, whether it is new).

    A second submission of the same modal collides on the key and gets the first row back.
    """
    now = utcnow()
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    values.setdefault("amount_refunded", 0)
    values.setdefault("fee_refunded", 0)
    values.setdefault("attempts", 0)
    result = await session.execute(
        insert_ignoring_duplicates(session, Charge, "idempotency_key", **values)
    )
    created = bool(result.rowcount)  # type: ignore[attr-defined]
    stored = await session.scalar(
        select(Charge)
        .where(Charge.idempotency_key == values["idempotency_key"])
        .execution_options(populate_existing=True)
    )
    assert stored is not None
    return stored, created


async def set_request(session: AsyncSession, charge_id: str, request: dict[str, Any]) -> bool:
    """Store the complete PaymentIntent request once; False if one was already stored."""
    current = await by_id(session, charge_id)
    if current is None or (current.request_params or {}).get("params", {}).get("customer"):
        return False
    result = await session.execute(
        update(Charge)
        .where(Charge.id == charge_id, Charge.status == "pending")
        .values(request_params=request, updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def settle(
    session: AsyncSession, charge_id: str, status: str, **values: Any
) -> Charge | None:
    """Move the charge to `status` if its current status allows it; the row, or None if not.

    None means someone else (the other of webhook and listener, or another process) already
    recorded this or a later outcome: the caller must not announce it again.
    """
    result = await session.execute(
        update(Charge)
        .where(Charge.id == charge_id, Charge.status.in_(SETTLES_FROM[status]))
        .values(status=status, updated_at=utcnow(), **values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    if values.get("stripe_charge_id"):
        await catch_up_charge(session, charge_id, values["stripe_charge_id"])
    return await by_id(session, charge_id)


async def lock(session: AsyncSession, charge_id: str) -> Charge | None:
    """The charge row, locked for update (PostgreSQL), so two handlers of one charge serialize."""
    return await session.scalar(
        select(Charge)
        .where(Charge.id == charge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def awaiting_answer(session: AsyncSession, vendor_id: int) -> int:
    """How many of the vendor's charges are `pending` with no PaymentIntent id recorded yet:
    charges Stripe may have made that connectbot cannot yet recognise by Stripe's ids."""
    count = await session.scalar(
        select(func.count()).where(
            Charge.vendor_id == vendor_id,
            Charge.status == "pending",
            Charge.payment_intent_id.is_(None),
        )
    )
    return int(count or 0)


async def note_attempt(
    session: AsyncSession, charge_id: str, error: str, *, code: str | None = None
) -> None:
    """Count a try that ended without an answer from Stripe; the row stays `pending`.

    `code`, when given, is kept in `failure_code` (what the try taught, e.g. that Stripe
    replays a saved error for the key); a later try without one leaves it as it is.
    """
    values: dict[str, Any] = {"failure_code": code[:64]} if code else {}
    await session.execute(
        update(Charge)
        .where(Charge.id == charge_id, Charge.status == "pending")
        .values(
            attempts=Charge.attempts + 1,
            failure_message=error[:2000],
            updated_at=utcnow(),
            **values,
        )
    )


async def stale_pending(session: AsyncSession, *, before: datetime, limit: int) -> list[str]:
    """Ids of `pending` charges untouched since `before`, oldest first."""
    rows = await session.scalars(
        select(Charge.id)
        .where(Charge.status == "pending", Charge.updated_at < before)
        .order_by(Charge.updated_at)
        .limit(limit)
    )
    return list(rows.all())


async def claim_stale(session: AsyncSession, charge_id: str, *, before: datetime) -> bool:
    """Take the charge for one reconciliation try: True for exactly one of several claimants.

    Touching `updated_at` is the lease: nobody else sees the row as stale until it ages again.
    """
    result = await session.execute(
        update(Charge)
        .where(Charge.id == charge_id, Charge.status == "pending", Charge.updated_at < before)
        .values(updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- approvals -------------------------------------------------------------------------------


async def add_approval(
    session: AsyncSession, *, charge_id: str, requested_by: str, channel_id: str
) -> None:
    await session.execute(
        insert_ignoring_duplicates(
            session,
            Approval,
            "charge_id",
            charge_id=charge_id,
            requested_by=requested_by,
            channel_id=channel_id,
            status="pending",
            created_at=utcnow(),
        )
    )


async def decide(
    session: AsyncSession, charge_id: str, *, approve: bool, by: str, message_ts: str | None
) -> Charge | None:
    """Approve (→ `pending`) or reject (→ `rejected`) a charge awaiting approval.

    One winner even when two operators click at once: the conditional update on the charge's
    status decides, and the approval row follows in the same transaction. None when the charge
    was already decided (or never needed approval). Refusing self-approval is the caller's job.
    """
    values: dict[str, Any] = {"status": "pending" if approve else "rejected"}
    if approve:
        values["approved_by"] = by
    result = await session.execute(
        update(Charge)
        .where(Charge.id == charge_id, Charge.status == "awaiting_approval")
        .values(updated_at=utcnow(), **values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    ts_values = {"message_ts": message_ts} if message_ts else {}
    await session.execute(
        update(Approval)
        .where(Approval.charge_id == charge_id)
        .values(
            status="approved" if approve else "rejected",
            decided_by=by,
            decided_at=utcnow(),
            **ts_values,
        )
    )
    return await by_id(session, charge_id)


async def approval_of(session: AsyncSession, charge_id: str) -> Approval | None:
    return await session.scalar(
        select(Approval)
        .where(Approval.charge_id == charge_id)
        .execution_options(populate_existing=True)
    )


def charge_account(charge: Charge, vendor: Vendor) -> str:
    """The Stripe account a charge was made on: the one its stored request went to.

    A vendor who was disconnected and connected again may have a different account now; a
    charge (and its refunds, disputes, lookups) stays on the account it was made on.
    """
    request = charge.request_params or {}
    return str(request.get("stripe_account") or vendor.stripe_account_id)
