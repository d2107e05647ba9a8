"""Refunding a charge: checks → stored `pending` refund → Stripe → outcome with its messages.

The refund row (unique idempotency key per request) is written before Stripe is called; the
amount is never more than what remains once refunds in flight are counted; the platform fee is
refunded in proportion (`refund_application_fee`), and a partial then the remaining refund
return exactly the whole fee. What Stripe actually refunded of the fee is read back and recorded
(bot/fee_refunds.py). A refund Stripe did not answer stays `pending` and is replayed
with the same key by `reconcile_refunds`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.fee_refunds import fee_returned
from bot.money import Money, Refusal, fee_refund_for, format_money, resolve_refund_amount
from bot.notifications.routing import announce, tell_user
from bot.services import Services
from bot.stripe_ops.fees import FeeReading, application_fee_of
from bot.stripe_ops.refunds import RefundAttempt, refund_request, send_refund
from bot.views.refunds import RefundFacts, refund_message
from storage.models import Charge, Customer, Refund, Vendor, utcnow
from storage.repos import audit, refunds
from storage.repos.charges import by_id, by_payment_intent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefundResult:
    """What the operator is told privately."""

    text: str


async def find_charge(session: AsyncSession, team_id: str, ref: str) -> Charge | None:
    """A charge by connectbot id (`cb_ch_…`) or PaymentIntent id (`pi_…`), in this workspace."""
    charge = await (
        by_id(session, ref) if ref.startswith("cb_ch_") else by_payment_intent(session, ref)
    )
    return charge if charge is not None and charge.team_id == team_id else None


async def request_refund(
    services: Services,
    *,
    team_id: str,
    actor: str,
    ref: str,
    amount_text: str | None,
    request_key: str,
) -> RefundResult | Refusal:
    """Refund `amount_text` (everything that remains when None) of the charge `ref`.

    Refuses an unknown charge, one that has not succeeded, one already fully refunded, and an
    amount above what remains; nothing is stored or sent then. `request_key` identifies this
    request (the slash command's trigger id): the same request twice is one refund.
    """
    async with services.sessions.begin() as session:
        charge = await find_charge(session, team_id, ref)
        if charge is None:
            return Refusal(f"No connectbot charge `{ref}` in this workspace.")
        if charge.status != "succeeded":
            state = charge.status.replace("_", " ")
            return Refusal(
                f"Charge `{charge.id}` is {state}; only succeeded charges can be refunded."
            )
        in_flight = await refunds.pending_total(session, charge.id)
        amount = resolve_refund_amount(
            amount_text,
            charged=Money(charge.amount, charge.currency),
            already_refunded=charge.amount_refunded + in_flight,
        )
        if isinstance(amount, Refusal):
            return amount
        refund, created = await refunds.add_pending(
            session,
            charge_id=charge.id,
            amount=amount,
            idempotency_key=f"refund:{charge.id}:{request_key}",
            requested_by=actor,
        )
        if created:
            await audit.record(
                session,
                team_id=team_id,
                actor=actor,
                action="refund.requested",
                target=charge.id,
                outcome="pending",
                detail={"amount": amount, "currency": charge.currency},
            )
    if refund.status != "pending":
        return RefundResult(f"That refund has already {refund.status}; nothing more was done.")
    return await _send_and_record(services, refund.id, actor=actor)


async def _send_and_record(services: Services, refund_id: int, *, actor: str) -> RefundResult:
    async with services.sessions() as session:
        refund = await session.get(Refund, refund_id)
        assert refund is not None
        charge = await by_id(session, refund.charge_id)
        assert charge is not None and charge.payment_intent_id is not None
        vendor = await session.get(Vendor, charge.vendor_id)
        assert vendor is not None
    request = refund_request(
        stripe_account=vendor.stripe_account_id,
        payment_intent=charge.payment_intent_id,
        amount=refund.amount,
        metadata={
            "connectbot_charge_id": charge.id,
            "connectbot_refund_id": str(refund.id),
            "requested_by": refund.requested_by,
        },
    )
    attempt = await send_refund(services, request, idempotency_key=refund.idempotency_key)
    reading = FeeReading(known=False)
    if attempt.outcome == "succeeded" and charge.stripe_charge_id:
        reading = await application_fee_of(services, charge.stripe_charge_id)
    return await _record(services, refund_id, attempt, reading, actor=actor)


async def _record(
    services: Services,
    refund_id: int,
    attempt: RefundAttempt,
    reading: FeeReading,
    *,
    actor: str,
) -> RefundResult:
    async with services.sessions.begin() as session:
        refund = await session.get(Refund, refund_id, populate_existing=True)
        assert refund is not None
        charge = await by_id(session, refund.charge_id)
        assert charge is not None
        money = Money(refund.amount, charge.currency)
        if attempt.outcome == "unknown":
            return RefundResult(
                f"Stripe did not answer about the refund of {format_money(money)}; "
                "connectbot will retry it with the same key and announce the result."
            )
        if attempt.outcome == "failed":
            if await refunds.settle(
                session, refund.id, status="failed", failure_message=attempt.message
            ):
                await _audit(session, charge, actor, "failed", refund.amount)
            return RefundResult(
                f"Stripe refused the refund of {format_money(money)}: {attempt.message}"
            )
        # The share asked for; what Stripe's fee shows caps it (bot/fee_refunds.py).
        fee = fee_refund_for(
            charge.application_fee_amount,
            charge.amount,
            charge.amount_refunded,
            refund.amount,
            await refunds.fee_attributed(session, charge.id),
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


async def _audit(
    session: AsyncSession, charge: Charge, actor: str, outcome: str, amount: int
) -> None:
    await audit.record(
        session,
        team_id=charge.team_id,
        actor=actor,
        action="refund",
        target=charge.id,
        outcome=outcome,
        detail={"amount": amount, "currency": charge.currency},
    )


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
    )
    msg = refund_message(facts, outside=outside)
    await announce(session, settings, vendor=vendor, message=msg, key=key)
    await tell_user(session, vendor.slack_user_id, message=msg, key=key)


async def reconcile_refunds(services: Services, *, grace: timedelta = timedelta(seconds=30)) -> int:
    """Replay refunds left `pending` (no answer from Stripe) with their own keys; how many."""
    async with services.sessions() as session:
        ids = await refunds.stale_pending(session, before=utcnow() - grace, limit=20)
    for refund_id in ids:
        try:
            await _send_and_record(services, refund_id, actor="reconciler")
        except Exception:
            log.exception("reconciling refund %s failed; will retry", refund_id)
    return len(ids)
