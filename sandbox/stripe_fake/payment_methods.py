"""Cards and PaymentMethods: Stripe's test numbers, test ``pm_card_…`` ids and ``tok_…`` tokens.

Outcomes by number (as on Stripe's testing page, with one simplification the product asks for:
``4000002500003155`` requires authentication on every payment, on- and off-session):

* ``4242424242424242``, ``5555555555554444``: succeed
* ``4000000000000002``: ``card_declined`` / ``generic_decline``
* ``4000000000009995``: ``card_declined`` / ``insufficient_funds``
* ``4000002500003155``, ``4000002760003184``: ``authentication_required``
"""

from __future__ import annotations

import datetime
import hashlib

from .api import Ctx, Json, api, list_object, require
from .errors import StripeError, invalid
from .events import emit
from .store import new_id, render, skeleton

SUCCEED, DECLINE, INSUFFICIENT, AUTHENTICATE = "succeed", "decline", "insufficient", "auth"
CARDS: dict[str, tuple[str, str]] = {
    "4242424242424242": ("visa", SUCCEED),
    "4000056655665556": ("visa", SUCCEED),
    "5555555555554444": ("mastercard", SUCCEED),
    "378282246310005": ("amex", SUCCEED),
    "4000000000000002": ("visa", DECLINE),
    "4000000000009995": ("visa", INSUFFICIENT),
    "4000002500003155": ("visa", AUTHENTICATE),
    "4000002760003184": ("visa", AUTHENTICATE),
}
TEST_METHODS = {
    "visa": "4242424242424242",
    "visa_debit": "4000056655665556",
    "mastercard": "5555555555554444",
    "amex": "378282246310005",
    "chargeDeclined": "4000000000000002",
    "visa_chargeDeclined": "4000000000000002",
    "chargeDeclinedInsufficientFunds": "4000000000009995",
    "visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "authenticationRequired": "4000002760003184",
    "authenticationRequiredOnSetup": "4000002500003155",
    "threeDSecure2Required": "4000002500003155",
}


def test_number(pm_or_token: str) -> str | None:
    """The card number behind ``pm_card_visa`` or ``tok_visa``, or None."""
    for prefix in ("pm_card_", "tok_"):
        if pm_or_token.startswith(prefix):
            return TEST_METHODS.get(pm_or_token.removeprefix(prefix))
    return None


def outcome(pm: Json) -> str:
    return CARDS.get(pm.get("_number", ""), ("visa", SUCCEED))[1]


def card_method(
    ctx: Ctx, number: str, exp_month: int | None = None, exp_year: int | None = None
) -> Json:
    """A new card PaymentMethod on the request's account (not yet stored)."""
    number = number.replace(" ", "")
    if number not in CARDS:
        raise StripeError(
            402,
            "card_error",
            "Your card number is incorrect.",
            code="incorrect_number",
            param="card[number]",
        )
    brand = CARDS[number][0]
    pm = skeleton("payment_method")
    pm = {k: v for k, v in pm.items() if k in _PM_FIELDS}
    year = exp_year or datetime.date.today().year + 3
    pm.update(
        id=new_id("pm"),
        type="card",
        created=ctx.state.clock.now(),
        livemode=ctx.livemode,
        metadata={},
        allow_redisplay="unspecified",
        billing_details={"address": None, "email": None, "name": None, "phone": None},
        card={
            "brand": brand,
            "country": "US",
            "exp_month": exp_month or 12,
            "exp_year": year,
            "fingerprint": hashlib.sha256(number.encode()).hexdigest()[:16],
            "funding": "credit",
            "last4": number[-4:],
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": "pass",
            },
            "networks": {"available": [brand], "preferred": None},
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        _number=number,
    )
    return pm


_PM_FIELDS = (
    "id",
    "object",
    "billing_details",
    "card",
    "created",
    "customer",
    "livemode",
    "metadata",
    "type",
    "allow_redisplay",
)


def resolve(ctx: Ctx, pm_id: str, param: str = "payment_method") -> Json:
    """The PaymentMethod ``pm_id`` on the request's account; test ids make a new one."""
    number = test_number(pm_id)
    if number is not None:
        return ctx.state.put(card_method(ctx, number), ctx.account)
    return ctx.state.get(pm_id, ctx.account, "payment_method", param=param)


def attach(ctx: Ctx, pm: Json, customer_id: str) -> Json:
    customer = ctx.state.get(customer_id, ctx.account, "customer", param="customer")
    if pm.get("customer") and pm["customer"] != customer["id"]:
        raise invalid(
            "The payment method you provided has already been attached to a customer.",
            code="payment_method_unexpected_state",
        )
    pm["customer"] = customer["id"]
    emit(ctx, "payment_method.attached", pm)
    return pm


@api("POST", "/v1/payment_methods")
def create_payment_method(ctx: Ctx) -> Json:
    source = ctx.params.get("payment_method")
    if source:  # clone a platform customer's method onto the connected account
        if ctx.account is None:
            raise invalid(
                "Cloning a PaymentMethod needs the Stripe-Account header.", param="payment_method"
            )
        original = ctx.state.get(source, None, "payment_method", param="payment_method")
        customer = ctx.params.get("customer")
        if customer:
            ctx.state.get(customer, None, "customer", param="customer")
            if original.get("customer") != customer:
                raise invalid(
                    f"The payment method '{source}' does not belong to customer '{customer}'.",
                    param="payment_method",
                )
        clone = card_method(
            ctx, original["_number"], original["card"]["exp_month"], original["card"]["exp_year"]
        )
        clone["billing_details"] = dict(original["billing_details"])
        ctx.state.put(clone, ctx.account)
        return render(clone)
    if require(ctx, "type") != "card":
        raise invalid("The fake Stripe only supports type=card.", param="type")
    card = ctx.params.get("card") or {}
    if card.get("token"):
        number = test_number(card["token"])
        if number is None:
            raise invalid(
                f"No such token: '{card['token']}'", param="card[token]", code="resource_missing"
            )
    elif card.get("number"):
        number = card["number"]
    else:
        raise invalid("Missing required param: card.", param="card", code="parameter_missing")
    pm = card_method(
        ctx,
        number,
        int(card.get("exp_month") or 12),
        int(card["exp_year"]) if card.get("exp_year") else None,
    )
    ctx.state.put(pm, ctx.account)
    return render(pm)


@api("GET", "/v1/payment_methods/{payment_method}")
def retrieve_payment_method(ctx: Ctx) -> Json:
    return render(resolve(ctx, ctx.args[0]))


@api("POST", "/v1/payment_methods/{payment_method}/attach")
def attach_payment_method(ctx: Ctx) -> Json:
    pm = resolve(ctx, ctx.args[0])
    return render(attach(ctx, pm, require(ctx, "customer")))


@api("GET", "/v1/customers/{customer}/payment_methods")
def list_customer_methods(ctx: Ctx) -> Json:
    customer = ctx.state.get(ctx.args[0], ctx.account, "customer", param="customer")
    items = [
        p
        for p in ctx.state.all("payment_method", ctx.account)
        if p.get("customer") == customer["id"]
    ]
    return list_object(ctx, f"/v1/customers/{customer['id']}/payment_methods", items)


# Cards that a SetupIntent (saving a card) refuses. Empty on purpose: every test card can be
# saved, so that a saved card's decline shows when it is charged (Stripe's 4000000000000341
# behaviour), which is what a marketplace's off-session flows need to exercise.
DECLINES_ON_SETUP: frozenset[str] = frozenset()
