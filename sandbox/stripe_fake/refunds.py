"""Refunds of charges and of application fees.

``refund_application_fee=true`` refunds the fee in proportion to the refunded amount:
``round_half_up(fee.amount * refund.amount / charge.amount)``, capped at what remains of the
fee; the refund that completes the charge refunds all that remains of the fee, so a charge
refunded in parts returns exactly the whole fee. (Stripe documents the proportion, not its
rounding; half-up on integer cents is our choice.)
Refunding a fully refunded charge is refused with ``charge_already_refunded``; more than
remains with ``amount_too_large``, both 400 ``invalid_request_error`` with ``param=amount``
where it applies, as Stripe does.
"""

from __future__ import annotations

from .api import Ctx, Json, api, list_object
from .errors import invalid
from .events import emit, emit_on
from .forms import flag, integer
from .payments import balance_transaction
from .store import new_id, render, skeleton


def _money(amount: int, currency: str) -> str:
    return f"${amount / 100:.2f}" if currency == "usd" else f"{amount} {currency}"


def proportional_fee(fee_amount: int, refund_amount: int, charge_amount: int) -> int:
    return (2 * fee_amount * refund_amount + charge_amount) // (2 * charge_amount)


def _charge_to_refund(ctx: Ctx) -> Json:
    p = ctx.params
    if p.get("charge"):
        return ctx.state.get(p["charge"], ctx.account, "charge", param="charge")
    if p.get("payment_intent"):
        pi = ctx.state.get(
            p["payment_intent"], ctx.account, "payment_intent", param="payment_intent"
        )
        if pi["status"] != "succeeded" or not pi["latest_charge"]:
            raise invalid(
                f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        return ctx.state.get(pi["latest_charge"], ctx.account, "charge")
    raise invalid(
        "One of the following params should be provided for this request: "
        "payment_intent or charge.",
        code="parameter_missing",
    )


def refund_fee(ctx: Ctx, fee: Json, amount: int, metadata: Json | None = None) -> Json:
    refund = skeleton("fee_refund")
    refund.update(
        id=new_id("fr"),
        amount=amount,
        created=ctx.state.clock.now(),
        currency=fee["currency"],
        fee=fee["id"],
        metadata=metadata or {},
    )
    txn = balance_transaction(
        ctx, None, "application_fee_refund", -amount, fee["currency"], refund["id"]
    )
    refund["balance_transaction"] = txn["id"]
    ctx.state.put(refund, None)
    fee["amount_refunded"] += amount
    fee["refunded"] = fee["amount_refunded"] == fee["amount"]
    fee["refunds"]["data"].insert(0, refund)
    emit_on(ctx, None, "application_fee.refunded", fee)
    return refund


@api("POST", "/v1/refunds")
def create_refund(ctx: Ctx) -> Json:
    charge = _charge_to_refund(ctx)
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = integer(ctx.params.get("amount"), remaining)
    assert amount is not None
    if amount <= 0:
        raise invalid("Invalid positive integer", param="amount", code="parameter_invalid_integer")
    if amount > remaining:
        raise invalid(
            f"Refund amount ({_money(amount, charge['currency'])}) is greater than "
            f"unrefunded amount on charge ({_money(remaining, charge['currency'])})",
            param="amount",
            code="amount_too_large",
        )
    refund = skeleton("refund")
    refund.update(
        id=new_id("re"),
        amount=amount,
        charge=charge["id"],
        created=ctx.state.clock.now(),
        currency=charge["currency"],
        metadata=ctx.params.get("metadata") or {},
        payment_intent=charge["payment_intent"],
        reason=ctx.params.get("reason"),
        status="succeeded",
        destination_details={
            "type": "card",
            "card": {
                "type": "refund",
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "reference": None,
            },
        },
    )
    txn = balance_transaction(ctx, ctx.account, "refund", -amount, charge["currency"], refund["id"])
    refund["balance_transaction"] = txn["id"]
    ctx.state.put(refund, ctx.account)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    charge["refunds"]["data"].insert(0, refund)
    fee_id = charge.get("application_fee")
    if flag(ctx.params.get("refund_application_fee")) and fee_id:
        fee = ctx.state.objects[fee_id]
        left = fee["amount"] - fee["amount_refunded"]
        share = (
            left
            if charge["refunded"]
            else min(left, proportional_fee(fee["amount"], amount, charge["amount"]))
        )
        if share > 0:
            refund_fee(ctx, fee, share)
    emit(ctx, "refund.created", refund)
    emit(ctx, "charge.refunded", charge)
    return render(refund)


@api("GET", "/v1/refunds/{refund}")
def retrieve_refund(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "refund", param="refund"))


@api("GET", "/v1/application_fees")
def list_fees(ctx: Ctx) -> Json:
    items = ctx.state.all("application_fee", ctx.account)
    if ctx.params.get("charge"):
        items = [f for f in items if f["charge"] == ctx.params["charge"]]
    return list_object(ctx, "/v1/application_fees", items)


@api("GET", "/v1/application_fees/{id}")
def retrieve_fee(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "application_fee"))


@api("POST", "/v1/application_fees/{id}/refunds")
def create_fee_refund(ctx: Ctx) -> Json:
    fee = ctx.state.get(ctx.args[0], ctx.account, "application_fee")
    left = fee["amount"] - fee["amount_refunded"]
    if left <= 0:
        raise invalid(
            f"Application fee {fee['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    amount = integer(ctx.params.get("amount"), left)
    assert amount is not None
    if amount <= 0 or amount > left:
        raise invalid(
            f"Refund amount ({_money(amount, fee['currency'])}) is greater than "
            f"unrefunded amount on fee ({_money(left, fee['currency'])})",
            param="amount",
            code="amount_too_large",
        )
    return render(refund_fee(ctx, fee, amount, ctx.params.get("metadata")))


@api("GET", "/v1/application_fees/{id}/refunds")
def list_fee_refunds(ctx: Ctx) -> Json:
    fee = ctx.state.get(ctx.args[0], ctx.account, "application_fee")
    return list_object(ctx, f"/v1/application_fees/{fee['id']}/refunds", fee["refunds"]["data"])
