"""Running a stored `pending` charge against Stripe, from the listener or the reconciler.

Order: the row exists; the customer is shared with the vendor if needed; the
complete PaymentIntent request is stored; only then is it sent, under the row's idempotency
key. Each step commits on its own (no transaction is held across a Stripe call), so a crash
anywhere leaves a `pending` row that the reconciler finishes with `recover_charge`: the same
key while it surely protects the replay, a lookup on Stripe once it may not (stripe_ops.keys).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.charges.outcomes import apply_attempt
from bot.customers.checks import check_vendor
from bot.customers.sharing import share_customer
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.charge_lookup import Lookup, find_payment_intent
from bot.stripe_ops.charges import Attempt, payment_intent_request, send_payment_intent
from bot.stripe_ops.keys import NOT_FOUND_AFTER_KEY_EXPIRY, REPLAYED_ERROR, key_stage
from storage.models import Charge, Vendor, utcnow
from storage.repos import charges

#: Margin below the first send for listing PaymentIntents by creation time (clock skew).
CLOCK_SKEW = timedelta(minutes=10)

log = logging.getLogger(__name__)


async def execute_charge(
    services: Services, charge_id: str, *, actor: str, recheck_vendor: bool = False
) -> str:
    """Bring a `pending` charge to its outcome; returns the charge's status afterwards.

    Refuses (records `failed` as `not_sent`, no PaymentIntent) a vendor who is no longer
    connected or whose customer can't be shared, when the request is not stored yet. A stored
    request was checked when it was stored and is sent as it is, unless `recheck_vendor`: the
    first send of a charge that waited for approval, whose vendor may have left meanwhile.
    Never pass it for a replay: the first send may have gone through. A charge that is not
    `pending` is left alone. When Stripe gives no answer the charge stays `pending` for the
    reconciler.
    """
    async with services.sessions() as session:
        charge = await charges.by_id(session, charge_id)
        if charge is None or charge.status != "pending":
            return charge.status if charge else "missing"
        vendor = await session.get(Vendor, charge.vendor_id)
    assert vendor is not None
    request = charge.request_params
    refusal = check_vendor(vendor) if request and recheck_vendor else None
    if refusal is not None:
        attempt = Attempt("failed", failure_code="not_sent", message=refusal.message)
        return await _record(services, charge_id, attempt, actor=actor)
    if not request:
        prepared = await _prepare_request(services, charge, vendor)
        if isinstance(prepared, Refusal):
            attempt = Attempt("failed", failure_code="not_sent", message=prepared.message)
            return await _record(services, charge_id, attempt, actor=actor)
        request = prepared
    attempt = await send_payment_intent(
        services.stripe, request, idempotency_key=charge.idempotency_key
    )
    return await _record(services, charge_id, attempt, actor=actor)


async def recover_charge(services: Services, charge_id: str, *, actor: str = "reconciler") -> str:
    """Settle a `pending` charge nobody is working on; returns its status afterwards.

    Younger than an hour: replayed with its key. Older: its PaymentIntent is looked up on the
    vendor's account and adopted (succeeded, declined, needs authentication: recorded and
    announced as if Stripe had just answered); with none there it is replayed with its key,
    unless 23 hours have passed, when it is recorded `failed` (`not_found_after_key_expiry`)
    and the requester told: it never reached Stripe and is never sent again. A charge whose
    last answer was a replayed error (`failure_code` `replayed_error`) is looked up at any age
    and never replayed: with nothing found it stays `pending` (until the 23 hours). When Stripe
    can't be asked, the charge stays `pending` for a later pass.
    """
    async with services.sessions() as session:
        charge = await charges.by_id(session, charge_id)
        if charge is None or charge.status != "pending":
            return charge.status if charge else "missing"
        approval = await charges.approval_of(session, charge_id)
    # The key cannot have reached Stripe before the charge was pending (approved, if it
    # needed approval): ages count from then, which can only make them larger (safer).
    first_sent = approval.decided_at if approval and approval.decided_at else charge.created_at
    stage = key_stage(first_sent, utcnow())
    # Stripe replays a saved error for the key: the request ran, and a replay can only get
    # that error again until the key is pruned (stripe_ops.keys). Only a lookup can tell.
    replayed = charge.failure_code == REPLAYED_ERROR
    if stage == "replay" and not replayed:
        return await execute_charge(services, charge_id, actor=actor)
    lookup = await _look_up(services, charge, first_sent)
    if lookup.state == "found" and lookup.attempt is not None:
        return await _record(services, charge_id, lookup.attempt, actor=actor)
    if lookup.state == "unknown":
        attempt = Attempt("unknown", message=lookup.message)
    elif stage != "look_up_only" and replayed:  # nothing there yet (search lag?): wait
        attempt = Attempt("unknown", message="Stripe replays an error for it; none found yet.")
    elif stage == "look_up_then_replay":  # nothing there, and the key still guards a replay
        return await execute_charge(services, charge_id, actor=actor)
    else:
        attempt = Attempt(
            "failed",
            failure_code=NOT_FOUND_AFTER_KEY_EXPIRY,
            message="Stripe has no record of it, and it is too old to send again safely.",
        )
    return await _record(services, charge_id, attempt, actor=actor)


async def _look_up(services: Services, charge: Charge, first_sent: datetime) -> Lookup:
    request = charge.request_params or {}
    customer = (request.get("params") or {}).get("customer")
    if not customer:
        return Lookup("absent")  # the complete request was never stored, so never sent
    return await find_payment_intent(
        services.stripe,
        stripe_account=str(request["stripe_account"]),
        charge_id=charge.id,
        customer=str(customer),
        created_from=int((first_sent - CLOCK_SKEW).timestamp()),
    )


async def _prepare_request(
    services: Services, charge: Charge, vendor: Vendor
) -> dict[str, Any] | Refusal:
    """Share the customer if needed, then store the complete request (once) and return it."""
    refusal = check_vendor(vendor)
    if refusal is not None:
        return refusal
    if charge.customer_id is None:
        return Refusal("The charge has no customer.")
    shared = await share_customer(
        services, customer_id=charge.customer_id, vendor_id=vendor.id, actor=charge.requested_by
    )
    if isinstance(shared, Refusal):
        return Refusal(f"The customer could not be shared with the vendor: {shared.message}")
    request = payment_intent_request(
        stripe_account=vendor.stripe_account_id,
        amount=charge.amount,
        currency=charge.currency,
        application_fee_amount=charge.application_fee_amount,
        customer=str(shared.vendor_customer_id),
        payment_method=str(shared.vendor_payment_method_id),
        description=charge.description,
        charge_id=charge.id,
        requested_by=charge.requested_by,
        cart_id=charge.cart_id,
    )
    async with services.sessions.begin() as session:
        await charges.set_request(session, charge.id, request)
        stored = await charges.by_id(session, charge.id)
    # A concurrent run may have stored its request first: send exactly that one.
    if stored is None or not stored.request_params:
        return Refusal("The charge changed while it was being prepared.")
    return dict(stored.request_params)


async def _record(services: Services, charge_id: str, attempt: Attempt, *, actor: str) -> str:
    async with services.sessions.begin() as session:
        await apply_attempt(session, services.settings, charge_id, attempt, actor=actor)
        charge = await charges.by_id(session, charge_id)
    status = charge.status if charge else "missing"
    log.info("charge %s: %s (%s)", charge_id, status, attempt.outcome)
    return status
