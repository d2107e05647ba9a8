"""Charges of direct payments, their balance transactions, and the platform's application fee.

A successful confirm under ``Stripe-Account`` with ``application_fee_amount`` creates, on the
connected account, a ``ch_…`` charge and its ``txn_…`` balance transaction (Stripe fee
2.9% + 30¢ rounded, plus the application fee, in ``fee_details``), and on the platform an
``ApplicationFee`` (``fee_…``) with its own balance transaction. A decline creates a ``failed``
charge with the decline's ``failure_code`` and ``outcome``.
"""

from __future__ import annotations

from .api import Ctx, Json, api, list_object, matching
from .balance_transactions import balance_transaction, fee_detail
from .events import emit, emit_on
from .store import new_id, render, skeleton

APPLICATION_ID = "ca_fakeconnectbot"
#: Card funds are pending this long before they are available: two days, as for card payments
#: in the US ("Balances and settlement time", docs.stripe.com/payments/balances).
SETTLEMENT = 2 * 86400


def stripe_fee(amount: int) -> int:
    return (amount * 29 + 500) // 1000 + 30


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
            "seller_message": _seller_message(decline),
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


def _seller_message(decline: tuple[str, str, str] | None) -> str:
    # Stripe's wording in charge.outcome.seller_message: a recorded test-mode failed charge for
    # card 4000002760003184 (off-session) says "The bank returned the decline code
    # `authentication_required`."
    if decline is None:
        return "Payment complete."
    if decline[1] == "generic_decline":
        return "The bank did not return any further details with this decline."
    return f"The bank returned the decline code `{decline[1]}`."


def failed_charge(ctx: Ctx, pi: Json, pm: Json, decline: tuple[str, str, str]) -> Json:
    """A ``failed`` charge for a decline (code, decline code, message); not yet announced."""
    return _charge(ctx, pi, pm, False, decline)


def succeed(ctx: Ctx, pi: Json, pm: Json) -> None:
    """Pay ``pi``: the charge, its balance transaction, the application fee, their events."""
    charge = _charge(ctx, pi, pm, True, None)
    fee_amount = pi["application_fee_amount"]
    currency = pi["currency"]
    processing = stripe_fee(pi["amount"])
    details = [fee_detail(processing, currency, "Stripe processing fees", "stripe_fee")]
    if fee_amount:
        details.append(
            fee_detail(fee_amount, currency, "Application fee", "application_fee", APPLICATION_ID)
        )
    txn = balance_transaction(
        ctx.state,
        ctx.account,
        type_="charge",
        amount=pi["amount"],
        currency=currency,
        source=charge["id"],
        fee_details=details,
        settles_in=SETTLEMENT,
        description=charge["description"],
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
            ctx.state,
            None,
            type_="application_fee",
            amount=fee_amount,
            currency=currency,
            source=fee["id"],
            settles_in=SETTLEMENT,
        )
        fee["balance_transaction"] = fee_txn["id"]
        ctx.state.put(fee, None)
        charge["application_fee"] = fee["id"]
        emit_on(ctx, None, "application_fee.created", fee)


@api("GET", "/v1/charges/{charge}")
def retrieve_charge(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "charge", param="charge"))


@api("GET", "/v1/charges")
def list_charges(ctx: Ctx) -> Json:
    items = matching(ctx, ctx.state.all("charge", ctx.account), "customer", "payment_intent")
    return list_object(ctx, "/v1/charges", items)
