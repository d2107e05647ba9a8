"""PaymentIntent cancel (docs.stripe.com/api/payment_intents/cancel): what a vendor does in its
Dashboard to a payment it no longer wants, and the ``payment_intent.canceled`` event."""

from __future__ import annotations

from .api import Ctx, Json, api
from .errors import invalid
from .events import emit
from .store import render

#: docs.stripe.com/api/payment_intents/cancel: "You can cancel a PaymentIntent object when it's
#: in one of these statuses: requires_payment_method, requires_capture, requires_confirmation,
#: requires_action or, in rare cases, processing."
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
#: stripe-python's PaymentIntentCancelParams.cancellation_reason.
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")


@api("POST", "/v1/payment_intents/{intent}/cancel")
def cancel_payment_intent(ctx: Ctx) -> Json:
    """Cancel a PaymentIntent: status ``canceled``, ``canceled_at``, ``cancellation_reason``
    and the ``payment_intent.canceled`` event; refused in any status but ``CANCELABLE`` with
    Stripe's ``payment_intent_unexpected_state``."""
    pi = ctx.state.get(ctx.args[0], ctx.account, "payment_intent", param="intent")
    reason = ctx.params.get("cancellation_reason")
    if reason is not None and reason not in CANCELLATION_REASONS:
        raise invalid(
            f"Invalid cancellation_reason: must be one of {', '.join(CANCELLATION_REASONS)}",
            param="cancellation_reason",
        )
    if pi["status"] not in CANCELABLE:
        raise invalid(
            f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. "
            "Only a PaymentIntent with one of the following statuses may be canceled: "
            f"{', '.join(CANCELABLE)}.",
            code="payment_intent_unexpected_state",
        )
    pi.update(status="canceled", canceled_at=ctx.state.clock.now(), cancellation_reason=reason)
    pi["next_action"] = None
    emit(ctx, "payment_intent.canceled", pi)
    return render(pi)
