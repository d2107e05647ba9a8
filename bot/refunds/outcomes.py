"""Recording what Stripe said about a refund, with its messages, in one transaction.

The listener (`/refund`) and the reconciler both come through `record_refund_attempt`; the
status change is conditional (`storage.repos.refunds.settle`), so whichever records a refund
first announces it and the other changes nothing. `announce_refund` is shared with the
`charge.refunded` webhook handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.money import Money, fee_refund_for, format_money
from bot.notifications.routing import announce, tell_user
from bot.refunds.fee_refunds import fee_returned
from bot.services import Services
from bot.stripe_ops.fees import FeeReading, application_fee_of
from bot.stripe_ops.keys import NOT_FOUND_AFTER_KEY_EXPIRY, REPLAYED_ERROR
from bot.stripe_ops.refunds import RefundAttempt
from bot.views.refunds import RefundFacts, refund_message, refund_not_made_message
from storage.models import Charge, Customer, Refund, Vendor
from storage.repos import audit, refunds
from storage.repos.charges import by_id
from storage.repos.charges import lock as lock_charge


@dataclass(frozen=True)
class RefundResult:
    """What the operator is told privately."""

    text: str


async def record_refund_attempt(
    services: Services, refund_id: int, attempt: RefundAttempt, *, actor: str
) -> RefundResult:
    """Record `attempt` for a `pending` refund, with its messages; what the operator is told.

    `unknown` changes nothing (the reconciler tries again), except that a replayed error is
    noted on the row (the reconciler then looks the refund up rather than replaying it).
    `failed` settles the refund; when the reconciler (`actor`) settled it, nobody is waiting
    for the answer, so the requester is told by DM. `succeeded` settles it, counts it on the
    charge and announces it once, with the platform fee Stripe's application fee shows was
    refunded (read back first). Locks the charge before the refund, as every writer of both.
    """
    reading = FeeReading(known=False)
    if attempt.outcome == "succeeded":
        reading = await _fee_after_refund(services, refund_id)
    async with services.sessions.begin() as session:
        refund = await session.get(Refund, refund_id, populate_existing=True)
        assert refund is not None
        # The charge's lock before the refund's row, whatever Stripe said: a settler that reads
        # the fee locks the charge first (`fees.record`), so one that could not read it and
        # went to the refund first deadlocked with it on PostgreSQL (two processes settling one
        # refund). Lock order: docs/architecture.md, "Lock order".
        charge = await lock_charge(session, refund.charge_id)
        assert charge is not None
        money = Money(refund.amount, charge.currency)
        if attempt.outcome == "unknown":
            if attempt.replayed:  # the reconciler looks it up instead of replaying it
                await refunds.note_pending(session, refund.id, REPLAYED_ERROR)
                return RefundResult(
                    f"Stripe answered the refund of {format_money(money)} with an error it "
                    "had saved for this request; connectbot will look it up on Stripe and "
                    "announce the result."
                )
            return RefundResult(
                f"Stripe did not answer about the refund of {format_money(money)}; "
                "connectbot will retry it with the same key and announce the result."
            )
        if attempt.outcome == "failed":
            if await refunds.settle(
                session, refund.id, status="failed", failure_message=attempt.message
            ):
                await _audit(session, charge, actor, "failed", refund.amount, attempt.failure_code)
                if actor == "reconciler":  # nobody is waiting for an answer: tell the requester
                    await _tell_not_made(session, charge, refund, attempt)
            return RefundResult(
                f"Stripe refused the refund of {format_money(money)}: {attempt.message}"
            )
        # The share asked for; what Stripe's fee shows caps it (bot/refunds/fee_refunds.py).
        fee = fee_refund_for(
            fee=charge.application_fee_amount,
            charged=charge.amount,
            already_refunded=charge.amount_refunded,
            refund_amount=refund.amount,
            fee_already_refunded=await refunds.fee_attributed(session, charge.id),
        )
        if reading.known:
            fee = await fee_returned(session, charge, reading.fee, at_most=fee)
        if await refunds.settle(
            session,
            refund.id,
            status="succeeded",
            stripe_refund_id=attempt.refund_id,
            fee_refunded=fee,
        ):
            remaining = charge.amount - charge.amount_refunded - refund.amount
            await refunds.add_to_charge(session, charge.id, amount=refund.amount)
            await _audit(session, charge, actor, "succeeded", refund.amount)
            await announce_refund(
                session,
                services.settings,
                charge,
                amount=refund.amount,
                fee=fee,
                remaining=remaining,
                refund_id=attempt.refund_id,
                key=f"refund:{attempt.refund_id or refund.id}",
            )
    return RefundResult(
        f"Refunded {format_money(money)} of charge `{charge.id}`; "
        f"platform fee refunded {format_money(Money(fee, charge.currency))}."
    )


async def _fee_after_refund(services: Services, refund_id: int) -> FeeReading:
    """The charge's application fee as Stripe shows it now (unknown when it can't be read)."""
    async with services.sessions() as session:
        refund = await session.get(Refund, refund_id)
        charge = await by_id(session, refund.charge_id) if refund else None
    if charge is None or not charge.stripe_charge_id:
        return FeeReading(known=False)
    return await application_fee_of(services.stripe, charge.stripe_charge_id)


async def _audit(
    session: AsyncSession,
    charge: Charge,
    actor: str,
    outcome: str,
    amount: int,
    code: str | None = None,
) -> None:
    detail: dict[str, object] = {"amount": amount, "currency": charge.currency}
    if code:
        detail["code"] = code
    await audit.record(
        session,
        team_id=charge.team_id,
        actor=actor,
        action="refund",
        target=charge.id,
        outcome=outcome,
        detail=detail,
    )


async def _tell_not_made(
    session: AsyncSession, charge: Charge, refund: Refund, attempt: RefundAttempt
) -> None:
    vendor = await session.get(Vendor, charge.vendor_id)
    assert vendor is not None
    message = refund_not_made_message(
        charge_id=charge.id,
        refund=Money(refund.amount, charge.currency),
        vendor_user_id=vendor.slack_user_id,
        reason=attempt.message or "Stripe refused it.",
        abandoned=attempt.failure_code == NOT_FOUND_AFTER_KEY_EXPIRY,
    )
    await tell_user(session, refund.requested_by, message=message, key=f"refund:{refund.id}:failed")


async def announce_refund(
    session: AsyncSession,
    settings: Settings,
    charge: Charge,
    *,
    amount: int,
    fee: int,
    remaining: int,
    refund_id: str | None,
    key: str,
    outside: bool = False,
) -> None:
    """Tell the vendor's channel and the vendor about a refund (in the caller's transaction).

    `remaining` is what is left to refund after it; `outside` marks one made outside connectbot.
    """
    vendor = await session.get(Vendor, charge.vendor_id)
    customer = await session.get(Customer, charge.customer_id) if charge.customer_id else None
    assert vendor is not None
    facts = RefundFacts(
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        refund_id=refund_id,
        vendor_user_id=vendor.slack_user_id,
        customer=customer.email if customer else "the customer",
        refunded=Money(amount, charge.currency),
        fee_refunded=Money(fee, charge.currency),
        charged=Money(charge.amount, charge.currency),
        remaining=Money(remaining, charge.currency),
        account=vendor.stripe_account_id,
        livemode=vendor.livemode,
    )
    msg = refund_message(facts, outside=outside)
    await announce(session, settings, vendor=vendor, message=msg, key=key)
    await tell_user(session, vendor.slack_user_id, message=msg, key=key)
