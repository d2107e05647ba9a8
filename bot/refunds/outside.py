"""Refunds made outside connectbot (in the vendor's Stripe Dashboard), recorded once.

Refunds made with /refund are written `pending` before Stripe is called and recorded by their
own answer; only the part of Stripe's `amount_refunded` that connectbot does not know of is a
refund made outside, recorded with the application fee Stripe actually refunded (read from
the platform's fee object; a Dashboard refund returns none), and announced once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.refunds.fee_refunds import fee_returned
from bot.refunds.outcomes import announce_refund
from storage.models import Charge
from storage.repos import audit, refunds


def refunded_outside(charge: Charge, *, stripe_refunded: int) -> int:
    """What Stripe says was refunded of `charge` beyond what connectbot recorded (≤ 0: none)."""
    return stripe_refunded - charge.amount_refunded


async def record_outside_refund(
    session: AsyncSession,
    settings: Settings,
    charge: Charge,
    *,
    stripe_charge_id: str,
    stripe_refunded: int,
    fee: dict[str, Any] | None,
) -> None:
    """Record and announce, in the caller's transaction, the refund that brought `charge` to
    `stripe_refunded` (Stripe's `amount_refunded`), with Stripe's application fee `fee`.

    Does nothing when nothing was refunded outside, or when this refund was recorded already
    (its key is the Stripe charge and the total). Call with no connectbot refund of the charge
    in flight: their answers come first.
    """
    outside = refunded_outside(charge, stripe_refunded=stripe_refunded)
    if outside <= 0:
        return
    fee_refunded = await fee_returned(session, charge, fee, at_most=None)
    refund, created = await refunds.add_pending(
        session,
        charge_id=charge.id,
        amount=outside,
        idempotency_key=f"outside:{stripe_charge_id}:{stripe_refunded}",
        requested_by="stripe",
    )
    if not created or not await refunds.settle(
        session, refund.id, status="succeeded", fee_refunded=fee_refunded
    ):
        return
    await refunds.add_to_charge(session, charge.id, amount=outside)
    await audit.record(
        session,
        team_id=charge.team_id,
        actor="stripe",
        action="refund.outside",
        target=charge.id,
        outcome="succeeded",
        detail={"amount": outside, "fee_refunded": fee_refunded, "currency": charge.currency},
    )
    await announce_refund(
        session,
        settings,
        charge,
        amount=outside,
        fee=fee_refunded,
        remaining=charge.amount - stripe_refunded,
        refund_id=None,
        key=f"refund-outside:{stripe_charge_id}:{stripe_refunded}",
        outside=True,
    )
