"""Refunds made outside connectbot (in the vendor's Stripe Dashboard), recorded once.

Refunds made with /refund are written `pending` before Stripe is called and recorded by their
own answer; only the part of Stripe's `amount_refunded` that connectbot does not know of is a
refund made outside, recorded with the application fee Stripe actually refunded (read from
the platform's fee object; a Dashboard refund returns none), and announced once.

In two steps so that no Stripe call happens inside a database transaction: `read_outside_fee`
reads the fee (before the event processor's transaction), `record_outside_refund` records the
refund with it (inside), once the charge is still as it was when the fee was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.lookup import charge_for, id_of
from bot.config import Settings
from bot.early_events import NotYetKnown, TryAgainLater
from bot.refunds.fee_refunds import fee_returned
from bot.refunds.outcomes import announce_refund
from bot.services import Services
from bot.stripe_ops.fees import application_fee_of
from storage.models import Charge
from storage.repos import audit, charges, refunds


@dataclass(frozen=True)
class OutsideFee:
    """Stripe's application fee of `charge_id` (None: it has none), read while connectbot had
    recorded `amount_refunded` of the charge and had no refund of it in flight."""

    charge_id: str
    amount_refunded: int
    fee: dict[str, Any] | None


def refunded_outside(charge: Charge, *, stripe_refunded: int) -> int:
    """What Stripe says was refunded of `charge` beyond what connectbot recorded (≤ 0: none)."""
    return stripe_refunded - charge.amount_refunded


async def refunded_outside_charge(
    session: AsyncSession, stripe_charge: dict[str, Any], *, lock: bool
) -> Charge | None:
    """connectbot's row for `stripe_charge` (a `charge.refunded` object) when Stripe reports
    more of it refunded than connectbot recorded; None when it is not connectbot's charge or
    nothing was refunded outside. `lock` locks the row (inside the recording transaction).

    Raises `NotYetKnown` while the charge's success is not recorded yet, or while one of
    connectbot's own refunds of it is in flight (their answers come first).
    """
    metadata = stripe_charge.get("metadata") or {}
    found = await charge_for(
        session,
        stripe_charge_id=str(stripe_charge["id"]),
        payment_intent_id=id_of(stripe_charge.get("payment_intent")),
        connectbot_charge_id=metadata.get("connectbot_charge_id"),
    )
    if found is None:
        return None
    charge = await charges.lock(session, found.id) if lock else found
    assert charge is not None
    if charge.status != "succeeded" or charge.stripe_charge_id is None:
        raise NotYetKnown(f"{charge.id} is {charge.status}; its success is not recorded yet")
    if charge.stripe_charge_id != stripe_charge["id"]:
        return None  # another charge of the same PaymentIntent: not the one connectbot recorded
    stripe_refunded = int(stripe_charge.get("amount_refunded") or 0)
    if refunded_outside(charge, stripe_refunded=stripe_refunded) <= 0:
        return None  # an older snapshot, or refunds connectbot has already recorded
    if await refunds.pending_total(session, charge.id):
        raise NotYetKnown(f"refunds of {charge.id} are in flight; their answers come first")
    return charge


async def read_outside_fee(services: Services, stripe_charge: dict[str, Any]) -> OutsideFee | None:
    """Before the transaction: the application fee of a charge refunded outside connectbot,
    fresh from Stripe; None when there is nothing to record (see `refunded_outside_charge`).

    Raises `NotYetKnown` as `refunded_outside_charge` does, and `TryAgainLater` when Stripe
    cannot tell the fee (the event is handled again later).
    """
    async with services.sessions() as session:
        charge = await refunded_outside_charge(session, stripe_charge, lock=False)
    if charge is None:
        return None
    reading = await application_fee_of(services.stripe, str(stripe_charge["id"]))
    if not reading.known:
        raise TryAgainLater(f"could not read the application fee of {charge.id}; will retry")
    return OutsideFee(charge.id, charge.amount_refunded, reading.fee)


def fee_still_current(read: OutsideFee | None, charge: Charge) -> dict[str, Any] | None:
    """The fee in `read` when it was read for `charge` as it stands (inside the transaction).

    Raises `NotYetKnown` when it was not: connectbot recorded a refund of the charge since
    (the fee may have changed with it), so the event is prepared again.
    """
    as_read = (read.charge_id, read.amount_refunded) if read is not None else None
    if read is None or as_read != (charge.id, charge.amount_refunded):
        raise NotYetKnown(f"the refunds of {charge.id} changed since its fee was read")
    return read.fee


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
