"""Refunds of direct charges on a vendor's account, with the platform fee refunded in proportion.

Knows nothing of Slack or the database: `send_refund` sends one request under its idempotency
key and sorts Stripe's answer into a `RefundAttempt`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import stripe

from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefundAttempt:
    """`unknown`: no final answer from Stripe; replaying the same key will tell."""

    outcome: Literal["succeeded", "failed", "unknown"]
    refund_id: str | None = None
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
    services: Services, request: dict[str, Any], *, idempotency_key: str
) -> RefundAttempt:
    """Create the refund; never raises a StripeError."""
    try:
        refund = await services.stripe.api.v1.refunds.create_async(
            params=request["params"],
            options={
                "stripe_account": request["stripe_account"],
                "idempotency_key": idempotency_key,
            },
        )
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        log.warning("refund %s: no answer from Stripe: %r", idempotency_key, exc)
        return RefundAttempt("unknown", message=type(exc).__name__)
    except stripe.StripeError as exc:
        if exc.http_status == 409 or (exc.http_status or 0) >= 500:
            return RefundAttempt("unknown", message=type(exc).__name__)
        body = exc.json_body if isinstance(exc.json_body, dict) else {}
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        return RefundAttempt("failed", message=str(message or exc.user_message))
    if refund.status in ("failed", "canceled"):
        return RefundAttempt("failed", refund.id, refund.failure_reason or refund.status)
    return RefundAttempt("succeeded", refund.id)
