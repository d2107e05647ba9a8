"""Test cards: Stripe's test numbers, `pm_card_…` ids and `tok_…` tokens, card PaymentMethods.

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

from .api import Ctx, Json
from .errors import StripeError
from .store import new_id, skeleton

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


# Cards that a SetupIntent (saving a card) refuses. Empty on purpose: every test card can be
# saved, so that a saved card's decline shows when it is charged (Stripe's 4000000000000341
# behaviour), which is what a marketplace's off-session flows need to exercise.
DECLINES_ON_SETUP: frozenset[str] = frozenset()
