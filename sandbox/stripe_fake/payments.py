"""PaymentIntents, charges, balance transactions and application fees (direct charges).

A successful confirm under ``Stripe-Account`` with ``application_fee_amount`` creates, on the
connected account, a ``ch_…`` charge and its ``txn_…`` balance transaction (Stripe fee
2.9% + 30¢ rounded, plus the application fee, in ``fee_details``), and on the platform an
``ApplicationFee`` (``fee_…``) with its own balance transaction.

Off-session confirmation of a card that needs authentication fails as Stripe documents it:
402 ``card_error`` ``authentication_required``; the PaymentIntent in the error has status
``requires_payment_method`` and ``last_payment_error`` set. On-session, it answers 200 with
status ``requires_action`` and ``next_action``.
"""

from __future__ import annotations

from .api import Ctx, Json, api, list_object, require
from .errors import StripeError, invalid
from .events import emit, emit_on
from .forms import flag, integer
from .payment_methods import AUTHENTICATE, DECLINE, INSUFFICIENT, SUCCEED, outcome, resolve
from .store import new_id, render, skeleton

APPLICATION_ID = "ca_fakeconnectbot"
DECLINES = {
    DECLINE: ("card_declined", "generic_decline", "Your card was declined."),
    INSUFFICIENT: ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    AUTHENTICATE: (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}


def stripe_fee(amount: int) -> int:
    return (amount * 29 + 500) // 1000 + 30


def balance_transaction(
    ctx: Ctx,
    account: str | None,
    type_: str,
    amount: int,
    currency: str,
    source: str,
    fee_details: list[Json] | None = None,
) -> Json:
    txn = skeleton("balance_transaction")
    fee = sum(d["amount"] for d in fee_details or [])
    created = ctx.state.clock.now()
    txn.pop("balance_type", None)
    txn.update(
        id=new_id("txn"),
        amount=amount,
        currency=currency,
        created=created,
        available_on=created + 2 * 86400,
        fee=fee,
        fee_details=fee_details or [],
        net=amount - fee,
        source=source,
        status="pending",
        type=type_,
        reporting_category=type_ if type_ != "application_fee_refund" else "fee",
    )
    return ctx.state.put(txn, account)


def _charge(ctx: Ctx, pi: Json, pm: Json, paid: bool, decline: tuple[str, str, str] | None) -> Json:
    charge = skeleton("charge")
    card = pm["card"]
    charge.update(
        id=new_id("ch"),
        amount=pi["amount"],
        amount_captured=pi["amount"] if paid else 0,
        amount_refunded=0,
        application_fee_amount=pi["application_fee_amount"],
        billing_details=pm["billing_details"],
        calculated_statement_descriptor="CONNECTBOT",
        captured=paid,
        created=ctx.state.clock.now(),
        currency=pi["currency"],
        customer=pi["customer"],
        description=pi["description"],
        disputed=False,
        fraud_details={},
        livemode=ctx.livemode,
        metadata=dict(pi["metadata"]),
        paid=paid,
        payment_intent=pi["id"],
        payment_method=pm["id"],
        refunded=False,
        status="succeeded" if paid else "failed",
        failure_code=decline[0] if decline else None,
        failure_message=decline[2] if decline else None,
        outcome={
            "network_status": "approved_by_network" if paid else "declined_by_network",
            "reason": decline[1] if decline else None,
            "risk_level": "normal",
            "risk_score": 20,
            "seller_message": "Payment complete."
            if paid
            else "The bank did not return any further details with this decline.",
            "type": "authorized" if paid else "issuer_declined",
        },
        payment_method_details={
            "type": "card",
            "card": {
                k: card[k]
                for k in (
                    "brand",
                    "country",
                    "exp_month",
                    "exp_year",
                    "fingerprint",
                    "funding",
                    "last4",
                    "checks",
                )
            }
            | {"network": card["brand"]},
        },
        receipt_url=f"{ctx.base_url}/receipts/{pi['id']}",
        refunds={"object": "list", "data": [], "has_more": False, "url": ""},
    )
    charge["refunds"]["url"] = f"/v1/charges/{charge['id']}/refunds"
    return ctx.state.put(charge, ctx.account)


def _succeed(ctx: Ctx, pi: Json, pm: Json) -> None:
    charge = _charge(ctx, pi, pm, True, None)
    fee_amount = pi["application_fee_amount"]
    details = [
        {
            "amount": stripe_fee(pi["amount"]),
            "application": None,
            "currency": pi["currency"],
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ]
    if fee_amount:
        details.append(
            {
                "amount": fee_amount,
                "application": APPLICATION_ID,
                "currency": pi["currency"],
                "description": "Application fee",
                "type": "application_fee",
            }
        )
    txn = balance_transaction(
        ctx, ctx.account, "charge", pi["amount"], pi["currency"], charge["id"], details
    )
    charge["balance_transaction"] = txn["id"]
    pi.update(status="succeeded", amount_received=pi["amount"], latest_charge=charge["id"])
    emit(ctx, "charge.succeeded", charge)
    emit(ctx, "payment_intent.succeeded", pi)
    if fee_amount and ctx.account:
        fee = skeleton("application_fee")
        fee.update(
            id=new_id("fee"),
            account=ctx.account,
            amount=fee_amount,
            amount_refunded=0,
            application=APPLICATION_ID,
            charge=charge["id"],
            created=ctx.state.clock.now(),
            currency=pi["currency"],
            livemode=ctx.livemode,
            originating_transaction=charge["id"],
            refunded=False,
            fee_source={"charge": charge["id"], "type": "charge", "payout": None},
        )
        fee["refunds"] = {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/application_fees/{fee['id']}/refunds",
        }
        fee_txn = balance_transaction(
            ctx, None, "application_fee", fee_amount, pi["currency"], fee["id"]
        )
        fee["balance_transaction"] = fee_txn["id"]
        ctx.state.put(fee, None)
        charge["application_fee"] = fee["id"]
        emit_on(ctx, None, "application_fee.created", fee)


def confirm(ctx: Ctx, pi: Json, off_session: bool) -> None:
    """Attempt the payment; raises the 402 card error after committing a failure."""
    if not pi["payment_method"]:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            code="payment_intent_unexpected_state",
        )
    pm = ctx.state.get(pi["payment_method"], ctx.account, "payment_method")
    result = outcome(pm)
    if result == SUCCEED:
        _succeed(ctx, pi, pm)
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
    if result in (DECLINE, INSUFFICIENT):
        charge = _charge(ctx, pi, pm, False, decline)
        pi["latest_charge"] = error["charge"] = charge["id"]
        emit(ctx, "charge.failed", charge)
    pi.update(status="requires_payment_method", last_payment_error=error)
    emit(ctx, "payment_intent.payment_failed", pi)
    extra: Json = {"payment_intent": render(pi), "payment_method": render(pm)}
    if "charge" in error:
        extra["charge"] = error["charge"]
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
    pm = resolve(ctx, p["payment_method"]) if p.get("payment_method") else None
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
    if ctx.params.get("payment_method"):
        pi["payment_method"] = resolve(ctx, ctx.params["payment_method"])["id"]
    if pi["status"] not in ("requires_confirmation", "requires_payment_method"):
        raise invalid(
            f"This PaymentIntent's status is {pi['status']}; it cannot be confirmed.",
            code="payment_intent_unexpected_state",
        )
    off = ctx.params.get("off_session")
    confirm(ctx, pi, bool(off) and off != "false")
    return render(pi)


@api("GET", "/v1/payment_intents/{intent}")
def retrieve_payment_intent(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "payment_intent", param="intent"))


@api("GET", "/v1/payment_intents")
def list_payment_intents(ctx: Ctx) -> Json:
    items = ctx.state.all("payment_intent", ctx.account)
    if ctx.params.get("customer"):
        items = [i for i in items if i["customer"] == ctx.params["customer"]]
    return list_object(ctx, "/v1/payment_intents", items)


@api("GET", "/v1/charges/{charge}")
def retrieve_charge(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "charge", param="charge"))


@api("GET", "/v1/charges")
def list_charges(ctx: Ctx) -> Json:
    items = ctx.state.all("charge", ctx.account)
    for key in ("customer", "payment_intent"):
        if ctx.params.get(key):
            items = [c for c in items if c[key] == ctx.params[key]]
    return list_object(ctx, "/v1/charges", items)


@api("GET", "/v1/balance_transactions/{id}")
def retrieve_balance_transaction(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "balance_transaction"))
