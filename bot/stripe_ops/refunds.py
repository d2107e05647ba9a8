"""Refunds of direct charges on a vendor's account, with the platform fee refunded in proportion.

Speaks only Stripe (`StripeConnection`): `send_refund` sends one request under its idempotency
key and sorts Stripe's answer into a `RefundAttempt`; `find_refund` looks for the refund a
request made (by its `connectbot_refund_id` metadata) without sending it again, for refunds
whose key may be pruned (see `bot.stripe_ops.keys`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import stripe
from stripe.params import RefundListParams

from bot.stripe_ops.charges import stored_options
from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import triage

log = logging.getLogger(__name__)


#: Pages of 100 refunds listed before a lookup calls itself incomplete.
MAX_LIST_PAGES = 20


@dataclass(frozen=True)
class RefundAttempt:
    """`unknown`: no final answer from Stripe; replaying the same key will tell, unless
    `replayed`: the answer was a saved error Stripe replayed under the key, so the request ran
    and only a lookup can tell (`bot.stripe_ops.keys`)."""

    outcome: Literal["succeeded", "failed", "unknown"]
    refund_id: str | None = None
    message: str | None = None
    failure_code: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class RefundLookup:
    """`found`: the refund, read as `attempt`; `absent`: none carries the refund id; `unknown`:
    Stripe could not be asked."""

    state: Literal["found", "absent", "unknown"]
    attempt: RefundAttempt | None = None
    message: str | None = None


def refund_request(
    *, stripe_account: str, payment_intent: str, amount: int, metadata: dict[str, str]
) -> dict[str, Any]:
    """The exact request: the amount, on the vendor's account, the fee refunded in proportion."""
    return {
        "stripe_account": stripe_account,
        "params": {
            "payment_intent": payment_intent,
            "amount": amount,
            "refund_application_fee": True,
            "metadata": metadata,
        },
    }


async def send_refund(
    connection: StripeConnection, request: dict[str, Any], *, idempotency_key: str
) -> RefundAttempt:
    """Create the refund; never raises a StripeError."""
    try:
        refund = await connection.api.v1.refunds.create_async(
            params=request["params"], options=stored_options(request, idempotency_key)
        )
    except stripe.StripeError as exc:
        trouble = triage(exc)
        if trouble.kind == "no_answer":
            log.warning("refund %s: no answer from Stripe: %r", idempotency_key, exc)
            return RefundAttempt("unknown", message=type(exc).__name__, replayed=trouble.replayed)
        return RefundAttempt("failed", message=trouble.message)
    return _from_refund(refund)


def _from_refund(refund: stripe.Refund) -> RefundAttempt:
    if refund.status in ("failed", "canceled"):
        return RefundAttempt("failed", refund.id, refund.failure_reason or refund.status)
    return RefundAttempt("succeeded", refund.id)


async def find_refund(
    connection: StripeConnection, *, stripe_account: str, payment_intent: str, refund_id: str
) -> RefundLookup:
    """The refund of `payment_intent` whose `metadata.connectbot_refund_id` is `refund_id`.

    Lists the PaymentIntent's refunds (the list API is consistent, unlike search); never
    raises a StripeError.
    """
    params: RefundListParams = {"payment_intent": payment_intent, "limit": 100}
    options: Any = {"stripe_account": stripe_account}
    try:
        for _ in range(MAX_LIST_PAGES):
            page = await connection.api.v1.refunds.list_async(params=params, options=options)
            for refund in page.data:
                metadata = refund.metadata.to_dict() if refund.metadata else {}
                if metadata.get("connectbot_refund_id") == refund_id:
                    return RefundLookup("found", _from_refund(refund))
            if not page.has_more:
                return RefundLookup("absent")
            params["starting_after"] = page.data[-1].id
    except stripe.StripeError as exc:
        log.warning("looking up refund %s on Stripe failed: %r", refund_id, exc)
        return RefundLookup("unknown", message=f"{type(exc).__name__} while looking it up")
    return RefundLookup("unknown", message="too many refunds to list")
