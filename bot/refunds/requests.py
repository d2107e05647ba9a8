"""Refunding a charge: checks → stored `pending` refund → Stripe → outcome with its messages.

The refund row (unique idempotency key per request) is written before Stripe is called; the
amount is never more than what remains once refunds in flight are counted; the platform fee is
refunded in proportion (`refund_application_fee`), and a partial then the remaining refund
return exactly the whole fee. A refund Stripe did not answer stays `pending` and is settled
by `reconcile_refunds`: replayed with the same key while that surely protects the replay, looked
up on Stripe first once it is an hour old, and only looked up once 23 hours old (Stripe may prune
a key at 24 hours: bot/stripe_ops/keys.py); looked up at once, and never replayed, when Stripe
answered it with a saved error replayed under its key.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import Money, resolve_refund_amount
from bot.refunds.outcomes import RefundResult, record_refund_attempt
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.keys import NOT_FOUND_AFTER_KEY_EXPIRY, REPLAYED_ERROR, key_stage
from bot.stripe_ops.refunds import RefundAttempt, find_refund, refund_request, send_refund
from bot.views.refunds import not_refundable
from storage.models import Charge, Refund, Vendor, utcnow
from storage.repos import audit, refunds
from storage.repos.charges import by_id, by_payment_intent, charge_account

log = logging.getLogger(__name__)

__all__ = ["RefundResult", "find_charge", "reconcile_refunds", "request_refund"]


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
    reason: str | None = None,
) -> RefundResult | Refusal:
    """Refund `amount_text` (everything that remains when None) of the charge `ref`.

    `reason` (the refund modal's, free text) is kept in the audit entry only: Stripe's own
    `reason` is an enum, and the refund row that a retry rebuilds its request from has none.

    Refuses an unknown charge, one that has not succeeded, one already fully refunded, and an
    amount above what remains; nothing is stored or sent then. `request_key` identifies this
    request (the slash command's trigger id): the same request twice is one refund.
    """
    async with services.sessions.begin() as session:
        charge = await find_charge(session, team_id, ref)
        if charge is None:
            return Refusal(f"No connectbot charge `{ref}` in this workspace.")
        if charge.status != "succeeded":
            return Refusal(not_refundable(charge.id, charge.status))
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
                detail={"amount": amount, "currency": charge.currency}
                | ({"reason": reason} if reason else {}),
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
        stripe_account=charge_account(charge, vendor),
        payment_intent=charge.payment_intent_id,
        amount=refund.amount,
        metadata={
            "connectbot_charge_id": charge.id,
            "connectbot_refund_id": str(refund.id),
            "requested_by": refund.requested_by,
        },
    )
    attempt = await send_refund(services.stripe, request, idempotency_key=refund.idempotency_key)
    return await record_refund_attempt(services, refund_id, attempt, actor=actor)


async def reconcile_refunds(services: Services, *, grace: timedelta = timedelta(seconds=30)) -> int:
    """Settle refunds left `pending` (no answer from Stripe); how many were tried. Each is
    claimed first, so of several processes' reconcilers only one replays it per grace period
    (as charges are, `reconcile_pending`)."""
    before = utcnow() - grace
    async with services.sessions() as session:
        ids = await refunds.stale_pending(session, before=before, limit=20)
    tried = 0
    for refund_id in ids:
        async with services.sessions.begin() as session:
            if not await refunds.claim_stale(session, refund_id, before=before):
                continue  # another process has it
        tried += 1
        try:
            await recover_refund(services, refund_id)
        except Exception:
            log.exception("reconciling refund %s failed; will retry", refund_id)
    return tried


async def recover_refund(services: Services, refund_id: int) -> None:
    """Settle one `pending` refund as `recover_charge` settles a charge.

    Younger than an hour: replayed with its key. Older: looked up among the PaymentIntent's
    refunds on the vendor's account (by `connectbot_refund_id`) and adopted; with none there it
    is replayed with its key, unless 23 hours have passed, when it is recorded `failed`
    (`not_found_after_key_expiry`) and the requester told. A refund whose last answer was a
    replayed error (noted `replayed_error`) is looked up at any age and never replayed: with
    nothing found it stays `pending` (until the 23 hours). When Stripe can't be asked it stays
    `pending`.
    """
    async with services.sessions() as session:
        refund = await session.get(Refund, refund_id, populate_existing=True)
        if refund is None or refund.status != "pending":
            return
        charge = await by_id(session, refund.charge_id)
        assert charge is not None and charge.payment_intent_id is not None
        vendor = await session.get(Vendor, charge.vendor_id)
        assert vendor is not None
    # The refund is sent right after its row is written: its key is no older than the row.
    stage = key_stage(refund.created_at, utcnow())
    # A replayed error: the request ran, and replaying only gets that error again (keys.py).
    replayed = refund.failure_message == REPLAYED_ERROR
    if stage == "replay" and not replayed:
        await _send_and_record(services, refund_id, actor="reconciler")
        return
    lookup = await find_refund(
        services.stripe,
        stripe_account=charge_account(charge, vendor),
        payment_intent=charge.payment_intent_id,
        refund_id=str(refund.id),
    )
    if lookup.state == "found" and lookup.attempt is not None:
        await record_refund_attempt(services, refund_id, lookup.attempt, actor="reconciler")
    elif lookup.state == "absent" and stage != "look_up_only" and replayed:
        log.warning("refund %s: Stripe replays an error for it, none found yet", refund_id)
    elif lookup.state == "absent" and stage == "look_up_then_replay":
        await _send_and_record(services, refund_id, actor="reconciler")
    elif lookup.state == "absent":
        abandoned = RefundAttempt(
            "failed",
            message="Stripe has no record of it almost a day after it was requested, so it "
            "never reached Stripe. It is not sent again: Stripe forgets a request's "
            "idempotency key after 24 hours, and a late retry could refund twice.",
            failure_code=NOT_FOUND_AFTER_KEY_EXPIRY,
        )
        await record_refund_attempt(services, refund_id, abandoned, actor="reconciler")
    else:
        log.warning("refund %s: %s; will look again", refund_id, lookup.message)
