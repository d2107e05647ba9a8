"""Reading a PaymentIntent found on Stripe as the outcome its create call would have given."""

from __future__ import annotations

from typing import Any

import pytest

from bot.stripe_ops.charge_lookup import attempt_from_intent


def _error(code: str, decline: str | None = None) -> dict[str, Any]:
    return {"type": "card_error", "code": code, "decline_code": decline, "message": "No."}


@pytest.mark.parametrize(
    ("intent", "outcome", "code", "card_error"),
    [
        ({"status": "succeeded", "latest_charge": "ch_1"}, "succeeded", None, False),
        (
            {"status": "requires_payment_method", "last_payment_error": _error("card_declined")},
            "failed",
            "card_declined",
            True,
        ),
        (
            {
                "status": "requires_payment_method",
                "last_payment_error": _error("authentication_required"),
            },
            "requires_action",
            "authentication_required",
            True,
        ),
        ({"status": "requires_action"}, "requires_action", "requires_action", False),
        ({"status": "canceled"}, "failed", "canceled", False),
        ({"status": "processing"}, "unknown", None, False),
        ({"status": "requires_confirmation"}, "unknown", None, False),
    ],
)
def test_found_intents(
    intent: dict[str, Any], outcome: str, code: str | None, card_error: bool
) -> None:
    attempt = attempt_from_intent({"id": "pi_1", **intent})
    assert (attempt.outcome, attempt.failure_code, attempt.card_error) == (
        outcome,
        code,
        card_error,
    )
    assert attempt.payment_intent_id == "pi_1"
