"""Running a stored `pending` charge against Stripe, from the listener or the reconciler.

Order (PRODUCT.md §4): the row exists; the customer is shared with the vendor if needed; the
complete PaymentIntent request is stored; only then is it sent, under the row's idempotency
key. Each step commits on its own (no transaction is held across a Stripe call), so a crash
anywhere leaves a `pending` row that the reconciler finishes with the same key.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.charges.outcomes import apply_attempt
from bot.money import Refusal
from bot.services import Services
from bot.stripe_ops.charges import Attempt, payment_intent_request, send_payment_intent
from bot.stripe_ops.customers import check_vendor, share_customer
from storage.models import Charge, Vendor
from storage.repos import charges

log = logging.getLogger(__name__)


async def execute_charge(services: Services, charge_id: str, *, actor: str) -> str:
    """Bring a `pending` charge to its outcome; returns the charge's status afterwards.

    Refuses (records `failed`, no PaymentIntent) a vendor who is no longer connected or whose
    customer can't be shared. A charge that is not `pending` is left alone. When Stripe gives
    no answer the charge stays `pending` for the reconciler.
    """
    async with services.sessions() as session:
        charge = await charges.by_id(session, charge_id)
        if charge is None or charge.status != "pending":
            return charge.status if charge else "missing"
        vendor = await session.get(Vendor, charge.vendor_id)
    assert vendor is not None
    request = charge.request_params
    if not request:
        prepared = await _prepare_request(services, charge, vendor)
        if isinstance(prepared, Refusal):
            attempt = Attempt("failed", failure_code="not_sent", message=prepared.message)
            return await _record(services, charge_id, attempt, actor=actor)
        request = prepared
    attempt = await send_payment_intent(services, request, idempotency_key=charge.idempotency_key)
    return await _record(services, charge_id, attempt, actor=actor)


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
