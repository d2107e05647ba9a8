"""Refunds of charges and of application fees.

``refund_application_fee=true`` refunds part of the platform's application fee with the refund.
stripe-python documents it on ``RefundCreateParams.refund_application_fee``: "If a full charge
refund is given, the full application fee will be refunded. Otherwise, the application fee will
be refunded in an amount proportional to the amount of the charge refunded. An application fee
can be refunded only by the application that created the charge." Without it (and for every
refund the connected account makes itself, in its Dashboard: dashboard.py) no fee is refunded:
"Application fees aren't automatically refunded when issuing a refund. Your platform must
explicitly refund the application fee" (docs.stripe.com/connect/saas/tasks/refunds-disputes);
the platform can still refund it with ``POST /v1/application_fees/{id}/refunds``.

Stripe does not document the rounding; :func:`proportional_fee` is our rule, and connectbot's
``bot.money.fee_refund_for`` is the same rule (a Hypothesis test compares the two).
Refunding a fully refunded charge is refused with ``charge_already_refunded``; more than
remains with ``amount_too_large``, both 400 ``invalid_request_error`` with ``param=amount``
where it applies, as Stripe does.
"""

from __future__ import annotations

from .api import Ctx, Json, api, list_object, matching
from .balance_transactions import balance_transaction
from .charges import SETTLEMENT
from .errors import invalid
from .events import emit, emit_on
from .forms import flag, integer
from .store import new_id, render, skeleton


def _money(amount: int, currency: str) -> str:
    return f"${amount / 100:.2f}" if currency == "usd" else f"{amount} {currency}"


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (both non-negative, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def proportional_fee(
    fee: int, charged: int, already_refunded: int, refund_amount: int, fee_already_refunded: int
) -> int:
    """The application fee refunded with a refund of ``refund_amount`` (``refund_application_fee``).

    The fee due once ``already_refunded + refund_amount`` of ``charged`` is refunded,
    round-half-up(fee × refunded / charged), less what was already refunded of the fee; never
    below zero, never more than what remains of the fee, and never more than this refund's own
    share rounded up (ceil(fee × refund_amount / charged)), so a refund after one that returned
    no fee (a Dashboard refund) still returns only its own share. Refunds that all return the
    fee add up to exactly the fee once the charge is fully refunded, however it was split.
    """
    due = _half_up(fee * (already_refunded + refund_amount), charged) - fee_already_refunded
    own_share = -(-fee * refund_amount // charged)
    return max(0, min(due, fee - fee_already_refunded, own_share))


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
        ctx.state,
        None,
        type_="application_fee_refund",
        amount=-amount,
        currency=fee["currency"],
        source=refund["id"],
        settles_in=SETTLEMENT,
    )
    refund["balance_transaction"] = txn["id"]
    # ... and back to the vendor: "Funds will be refunded to the Stripe account from which the
    # fee was originally collected." (https://docs.stripe.com/api/fee_refunds/create). To the
    # vendor it is a fee given back: "it categorizes several types of fees and Connect platform
    # fee refunds with reporting_category=fee" (docs.stripe.com/reports/reporting-categories).
    balance_transaction(
        ctx.state,
        fee["account"],
        type_="application_fee_refund",
        amount=amount,
        currency=fee["currency"],
        source=refund["id"],
        settles_in=SETTLEMENT,
        reporting_category="fee",
    )
    ctx.state.put(refund, None)
    fee["amount_refunded"] += amount
    fee["refunded"] = fee["amount_refunded"] == fee["amount"]
    fee["refunds"]["data"].insert(0, refund)
    emit_on(ctx, None, "application_fee.refunded", fee)
    return refund


@api("POST", "/v1/refunds")
def create_refund(ctx: Ctx) -> Json:
    """A refund by the platform (the application that created the charge)."""
    charge = _charge_to_refund(ctx)
    refund = make_refund(
        ctx,
        charge,
        ctx.params.get("amount"),
        refund_application_fee=flag(ctx.params.get("refund_application_fee")),
        metadata=ctx.params.get("metadata") or {},
        reason=ctx.params.get("reason"),
    )
    return render(refund)


def make_refund(
    ctx: Ctx,
    charge: Json,
    amount_param: object,
    *,
    refund_application_fee: bool,
    metadata: Json,
    reason: str | None,
) -> Json:
    """Refund ``amount_param`` (everything that remains when None) of ``charge``.

    Refuses a fully refunded charge, a non-positive amount and more than remains. With
    ``refund_application_fee`` the platform's fee is refunded in proportion
    (:func:`proportional_fee`); events ``refund.created`` and ``charge.refunded`` on the
    charge's account, and ``application_fee.refunded`` on the platform when a fee is refunded.
    """
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = integer(amount_param, remaining)
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
        metadata=metadata,
        payment_intent=charge["payment_intent"],
        reason=reason,
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
    txn = balance_transaction(
        ctx.state,
        ctx.account,
        type_="refund",
        amount=-amount,
        currency=charge["currency"],
        source=refund["id"],
        settles_in=SETTLEMENT,
    )
    refund["balance_transaction"] = txn["id"]
    ctx.state.put(refund, ctx.account)
    already = charge["amount_refunded"]
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    charge["refunds"]["data"].insert(0, refund)
    fee_id = charge.get("application_fee")
    if refund_application_fee and fee_id:
        fee = ctx.state.objects[fee_id]
        share = proportional_fee(
            fee["amount"], charge["amount"], already, amount, fee["amount_refunded"]
        )
        if share > 0:
            refund_fee(ctx, fee, share)
    emit(ctx, "refund.created", refund)
    emit(ctx, "charge.refunded", charge)
    return refund


@api("GET", "/v1/refunds/{refund}")
def retrieve_refund(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "refund", param="refund"))


@api("GET", "/v1/application_fees")
def list_fees(ctx: Ctx) -> Json:
    items = matching(ctx, ctx.state.all("application_fee", ctx.account), "charge")
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
