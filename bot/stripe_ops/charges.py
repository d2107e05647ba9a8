"""Direct charges on a vendor's account: one PaymentIntent, created and confirmed off-session.

`payment_intent_request` builds the exact request that is stored before Stripe is called;
`send_payment_intent` sends a stored request (again, when reconciling) under its idempotency
key and sorts Stripe's answer into an `Attempt`. Speaks only Stripe (`StripeConnection`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import stripe

from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import describe, error_body, triage

log = logging.getLogger(__name__)

Outcome = Literal["succeeded", "failed", "requires_action", "unknown"]


@dataclass(frozen=True)
class Attempt:
    """What one try to charge ended in.

    `unknown`: Stripe gave no final answer (5xx, 429, 409, network) even after the client's own
    retries; the request may or may not have been executed, so only replaying the same request
    with the same key can tell. `replayed`: that answer was a saved error Stripe replayed under
    the key, so the request did run and replaying cannot tell more: look it up instead
    (`bot.stripe_ops.keys`).
    """

    outcome: Outcome
    payment_intent_id: str | None = None
    stripe_charge_id: str | None = None
    failure_code: str | None = None
    decline_code: str | None = None
    message: str | None = None
    card_error: bool = False  # a decline by the card's bank, as opposed to a refused request
    replayed: bool = False  # an `unknown` answer replayed from what Stripe saved under the key


def payment_intent_request(
    *,
    stripe_account: str,
    amount: int,
    currency: str,
    application_fee_amount: int,
    customer: str,
    payment_method: str,
    description: str | None,
    charge_id: str,
    requested_by: str,
    cart_id: str | None = None,
) -> dict[str, Any]:
    """The stored form of the request: the vendor's account and the exact params sent.

    A split cart's part carries its cart id in `metadata` too (`connectbot_cart_id`), so the
    vendor's Dashboard shows which parts were bought together."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "customer": customer,
        "payment_method": payment_method,
        "confirm": True,
        "off_session": True,
        "application_fee_amount": application_fee_amount,
        "metadata": {"connectbot_charge_id": charge_id, "requested_by": requested_by},
    }
    if cart_id:
        params["metadata"]["connectbot_cart_id"] = cart_id
    if description:
        params["description"] = description
    return {"stripe_account": stripe_account, "params": params}


def stored_options(request: dict[str, Any], idempotency_key: str) -> Any:
    """How a stored request is sent: on its vendor's account, under its idempotency key."""
    return {"stripe_account": request["stripe_account"], "idempotency_key": idempotency_key}


async def send_payment_intent(
    connection: StripeConnection, request: dict[str, Any], *, idempotency_key: str
) -> Attempt:
    """Create and confirm the PaymentIntent of a stored `request`; never raises a StripeError.

    The client retries network errors and 5xx itself with the same key; Stripe replays the
    first result for a key it has seen, so sending a request twice charges at most once.
    """
    try:
        intent = await connection.api.v1.payment_intents.create_async(
            params=request["params"], options=stored_options(request, idempotency_key)
        )
    except stripe.CardError as exc:
        return _card_error(exc)
    except stripe.StripeError as exc:
        return _not_made(exc, idempotency_key)
    return _from_intent(intent)


def _not_made(exc: stripe.StripeError, idempotency_key: str) -> Attempt:
    """An error other than a decline: no final answer, a bug, or a refused request."""
    if isinstance(exc, stripe.IdempotencyError):
        # The key was used with other params: a bug, never a reason to guess an outcome.
        log.error("payment intent %s: idempotency error: %r", idempotency_key, exc)
        return Attempt("unknown", message=describe(exc))
    trouble = triage(exc)
    if trouble.kind == "no_answer":
        log.warning("payment intent %s: no answer from Stripe: %r", idempotency_key, exc)
        if trouble.replayed:
            return Attempt("unknown", message=f"{describe(exc)}, replayed", replayed=True)
        return Attempt("unknown", message=describe(exc))
    # Stripe refused the request (4xx): nothing was charged.
    error = error_body(exc)
    return Attempt(
        "failed",
        failure_code=error.get("code") or type(exc).__name__,
        message=str(error.get("message") or describe(exc)),
    )


def _from_intent(intent: stripe.PaymentIntent) -> Attempt:
    latest = intent.latest_charge
    charge_id = latest if isinstance(latest, str) or latest is None else latest.id
    if intent.status == "succeeded":
        return Attempt("succeeded", intent.id, charge_id)
    if intent.status == "requires_action":
        return Attempt("requires_action", intent.id, charge_id, failure_code="requires_action")
    if intent.status == "requires_payment_method":
        error = intent.last_payment_error
        return Attempt(
            "failed",
            intent.id,
            charge_id,
            failure_code=error.code if error else None,
            decline_code=error.decline_code if error else None,
            message=error.message if error else "The payment failed.",
            card_error=error is not None and error.type == "card_error",
        )
    # processing and the like: the webhook (or the reconciler) settles it later.
    return Attempt("unknown", intent.id, charge_id, message=f"status {intent.status}")


def _card_error(exc: stripe.CardError) -> Attempt:
    error = error_body(exc)
    intent = error.get("payment_intent") or {}
    intent_id = intent.get("id") if isinstance(intent, dict) else None
    code = error.get("code") or exc.code
    outcome: Outcome = "requires_action" if code == "authentication_required" else "failed"
    return Attempt(
        outcome,
        payment_intent_id=intent_id,
        stripe_charge_id=error.get("charge") or intent.get("latest_charge"),
        failure_code=code,
        decline_code=error.get("decline_code"),
        message=str(error.get("message") or exc.user_message or "The card was declined."),
        card_error=True,
    )


def attempt_from_event(intent: dict[str, Any]) -> Attempt:
    """The outcome a `payment_intent.succeeded` / `payment_failed` event reports."""
    intent_id = str(intent.get("id"))
    latest = intent.get("latest_charge")
    charge_id = latest.get("id") if isinstance(latest, dict) else latest
    if intent.get("status") == "succeeded":
        return Attempt("succeeded", intent_id, charge_id)
    error = intent.get("last_payment_error") or {}
    code = error.get("code")
    return Attempt(
        "requires_action" if code == "authentication_required" else "failed",
        intent_id,
        charge_id or error.get("charge"),
        failure_code=code,
        decline_code=error.get("decline_code"),
        message=str(error.get("message") or "The payment failed."),
        card_error=error.get("type") == "card_error",
    )
