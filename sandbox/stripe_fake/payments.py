"""PaymentIntents: create, confirm (on- and off-session), retrieve, list.

A successful confirm makes the charge, its balance transaction and the application fee
(charges.py).

Off-session confirmation of a card that needs authentication is an issuer decline, as Stripe
documents it ("Decline codes": ``authentication_required`` "The card was declined because the
transaction requires authentication"): 402 ``card_error`` ``authentication_required`` with the
failed ``ch_…`` in ``charge``; the PaymentIntent is ``requires_payment_method`` with
``last_payment_error`` (its ``charge``: "For card errors, the ID of the failed charge", in
stripe-python) and ``latest_charge`` set; events ``charge.failed`` then
``payment_intent.payment_failed``. On-session, it answers 200 with status ``requires_action``
and ``next_action`` and no charge. Any decline leaves the PaymentIntent without a
``payment_method`` (as a recorded test-mode ``payment_intent.payment_failed`` for card
4000002760003184 shows: ``payment_method: null``, the method in ``last_payment_error``).
A method attached to no customer is consumed by the attempt (payment_methods.py).
"""

from __future__ import annotations

from .api import Ctx, Json, api, list_object, matching, require
from .cards import AUTHENTICATE, DECLINE, INSUFFICIENT, SUCCEED, outcome
from .charges import APPLICATION_ID, failed_charge, succeed
from .errors import StripeError, invalid
from .events import emit
from .forms import flag, integer
from .payment_methods import consume, resolve, usable
from .search import created_filter
from .store import new_id, render, skeleton

DECLINES = {
    DECLINE: ("card_declined", "generic_decline", "Your card was declined."),
    INSUFFICIENT: ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    AUTHENTICATE: (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}


def confirm(ctx: Ctx, pi: Json, off_session: bool) -> None:
    """Attempt the payment; raises the 402 card error after committing a failure."""
    if not pi["payment_method"]:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            code="payment_intent_unexpected_state",
        )
    pm = usable(ctx.state.get(pi["payment_method"], ctx.account, "payment_method"))
    result = outcome(pm)
    if result == SUCCEED:
        consume(pm)
        succeed(ctx, pi, pm)
        return
    if result == AUTHENTICATE and not off_session:
        pi.update(
            status="requires_action",
            next_action={
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {
                    "type": "three_d_secure_redirect",
                    "stripe_js": f"{ctx.base_url}/3ds/{pi['id']}",
                },
            },
        )
        emit(ctx, "payment_intent.requires_action", pi)
        return
    decline = DECLINES[result]
    error: Json = {
        "type": "card_error",
        "code": decline[0],
        "decline_code": decline[1],
        "message": decline[2],
        "payment_method": render(pm),
        "doc_url": f"https://stripe.com/docs/error-codes/{decline[0].replace('_', '-')}",
    }
    consume(pm)
    charge = failed_charge(ctx, pi, pm, decline)
    pi["latest_charge"] = error["charge"] = charge["id"]
    emit(ctx, "charge.failed", charge)
    pi.update(status="requires_payment_method", last_payment_error=error, payment_method=None)
    emit(ctx, "payment_intent.payment_failed", pi)
    extra: Json = {
        "payment_intent": render(pi),
        "payment_method": render(pm),
        "charge": charge["id"],
    }
    raise StripeError(
        402, "card_error", decline[2], code=decline[0], decline_code=decline[1], extra=extra
    )


@api("POST", "/v1/payment_intents")
def create_payment_intent(ctx: Ctx) -> Json:
    p = ctx.params
    amount = integer(require(ctx, "amount"))
    currency = require(ctx, "currency").lower()
    assert amount is not None
    fee = integer(p.get("application_fee_amount"))
    if fee is not None and ctx.account is None:
        raise invalid(
            "Can only apply an application_fee_amount when the PaymentIntent is "
            "attempting a direct payment (using an OAuth key or Stripe-Account header) "
            "or destination payment (using `transfer_data[destination]`).",
            param="application_fee_amount",
        )
    if fee is not None and fee > amount:
        raise invalid(
            "The application fee amount must be less than the payment amount.",
            param="application_fee_amount",
        )
    if p.get("customer"):
        ctx.state.get(p["customer"], ctx.account, "customer", param="customer")
    pm = usable(resolve(ctx, p["payment_method"])) if p.get("payment_method") else None
    # stripe-python, PaymentIntentCreateParams.customer: "Payment methods attached to other
    # Customers cannot be used with this PaymentIntent."
    if pm and pm.get("customer") and p.get("customer") != pm["customer"]:
        raise invalid(
            f"The provided PaymentMethod {pm['id']} belongs to a different Customer.",
            param="payment_method",
        )
    if p.get("off_session") and not flag(p.get("confirm")):
        raise invalid(
            "You may only specify `off_session` when confirming a PaymentIntent.",
            param="off_session",
        )
    pi = skeleton("payment_intent")
    pi.update(
        id=new_id("pi"),
        amount=amount,
        amount_capturable=0,
        amount_received=0,
        application=APPLICATION_ID if ctx.account else None,
        application_fee_amount=fee,
        capture_method="automatic",
        confirmation_method="automatic",
        created=ctx.state.clock.now(),
        currency=currency,
        customer=p.get("customer"),
        description=p.get("description"),
        livemode=ctx.livemode,
        metadata=p.get("metadata") or {},
        payment_method_types=["card"],
        payment_method=pm["id"] if pm else None,
        payment_method_options={
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        status="requires_confirmation" if pm else "requires_payment_method",
        receipt_email=p.get("receipt_email"),
        statement_descriptor=p.get("statement_descriptor"),
    )
    pi["client_secret"] = f"{pi['id']}_secret_{new_id('s', 16)[2:]}"
    ctx.state.put(pi, ctx.account)
    emit(ctx, "payment_intent.created", pi)
    if flag(p.get("confirm")):
        confirm(ctx, pi, bool(p.get("off_session")) and p.get("off_session") != "false")
    return render(pi)


@api("POST", "/v1/payment_intents/{intent}/confirm")
def confirm_payment_intent(ctx: Ctx) -> Json:
    pi = ctx.state.get(ctx.args[0], ctx.account, "payment_intent", param="intent")
    if pi["status"] not in ("requires_confirmation", "requires_payment_method"):
        raise invalid(
            f"This PaymentIntent's status is {pi['status']}; it cannot be confirmed.",
            code="payment_intent_unexpected_state",
        )
    if ctx.params.get("payment_method"):
        pm = usable(resolve(ctx, ctx.params["payment_method"]))
        if pm.get("customer") and pm["customer"] != pi["customer"]:
            raise invalid(
                f"The provided PaymentMethod {pm['id']} belongs to a different Customer.",
                param="payment_method",
            )
        pi["payment_method"] = pm["id"]
    off = ctx.params.get("off_session")
    confirm(ctx, pi, bool(off) and off != "false")
    return render(pi)


@api("GET", "/v1/payment_intents/{intent}")
def retrieve_payment_intent(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "payment_intent", param="intent"))


@api("GET", "/v1/payment_intents")
def list_payment_intents(ctx: Ctx) -> Json:
    items = matching(ctx, ctx.state.all("payment_intent", ctx.account), "customer")
    return list_object(ctx, "/v1/payment_intents", created_filter(ctx, items))
