"""Payments that went wrong on a vendor's account (pure): an early fraud warning, a payment made
outside connectbot that failed, a PaymentIntent canceled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.message import message

#: https://docs.stripe.com/api/early_fraud_warnings/object (`fraud_type`), in words.
FRAUD_TYPES = {
    "card_never_received": "the card never reached its owner",
    "fraudulent_card_application": "the card was obtained with a fraudulent application",
    "made_with_counterfeit_card": "it was made with a counterfeit card",
    "made_with_lost_card": "it was made with a lost card",
    "made_with_stolen_card": "it was made with a stolen card",
    "misc": "it is fraudulent",
    "unauthorized_use_of_card": "the card was used without its owner's permission",
}
#: https://docs.stripe.com/api/payment_intents/object (`cancellation_reason`), in words.
CANCELLATION_REASONS = {
    "abandoned": "abandoned",
    "automatic": "canceled automatically by Stripe",
    "duplicate": "a duplicate",
    "expired": "expired",
    "failed_invoice": "its invoice failed",
    "fraudulent": "fraudulent",
    "requested_by_customer": "canceled at the customer's request",
    "void_invoice": "its invoice was voided",
}


@dataclass(frozen=True)
class PaymentFacts:
    """A payment on a vendor's account. `charge_ref` is connectbot's charge id, when it is
    connectbot's; `object_id` the Stripe object the message is about (ch_ or pi_)."""

    object_id: str
    amount: Money | None
    vendor_label: str
    account: str | None
    livemode: bool
    charge_ref: str | None = None


def _refs(facts: PaymentFacts) -> str:
    linked = dashboard_link(facts.object_id, livemode=facts.livemode, account=facts.account)
    return f"`{facts.charge_ref}` ({linked})" if facts.charge_ref else linked


def _amount(facts: PaymentFacts) -> str:
    return format_money(facts.amount) if facts.amount else "an unknown amount"


def _alert(text: str, head: str, lines: list[str], facts: PaymentFacts) -> dict[str, Any]:
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=head)),
            *(SectionBlock(text=MarkdownTextObject(text=line)) for line in lines),
            ContextBlock(elements=[MarkdownTextObject(text=f"Stripe: {_refs(facts)}")]),
        ],
    )


def early_fraud_warning_message(
    facts: PaymentFacts, *, fraud_type: str, actionable: bool
) -> dict[str, Any]:
    """The card's issuer reports the charge as fraud. While the warning is actionable (neither
    refunded nor disputed yet), advise a refund. Stripe's words: "An EFW is actionable if it has
    not received a dispute and has not been fully refunded. You may wish to proactively refund a
    charge that receives an EFW, in order to avoid receiving a dispute later"
    (https://docs.stripe.com/api/early_fraud_warnings/object); left alone, most become
    fraudulent disputes (https://docs.stripe.com/disputes/how-disputes-work, "Early fraud
    warnings")."""
    why = FRAUD_TYPES.get(fraud_type, fraud_type.replace("_", " "))
    head = (
        f":warning: *Early fraud warning* on {facts.vendor_label}'s charge of "
        f"{_amount(facts)}: the card issuer reports that {why}."
    )
    if actionable:
        how = f" with `/refund {facts.charge_ref}`" if facts.charge_ref else " in Stripe"
        advice = (
            f"Consider refunding it now{how}: a refunded charge cannot be disputed, "
            "which saves the amount and the dispute fee."
        )
    else:
        advice = "It is already refunded or disputed: nothing more to do."
    text = head.replace("*", "").removeprefix(":warning: ") + " " + advice
    return _alert(text, head, [advice], facts)


def outside_charge_failed_message(
    facts: PaymentFacts, *, reason: str | None, code: str | None, description: str | None
) -> dict[str, Any]:
    """A payment made outside connectbot (the vendor's Dashboard, another app) failed."""
    why = (reason or "no reason given").strip().rstrip(".")
    what = f" ({description})" if description else ""
    head = (
        f":x: A payment of {_amount(facts)}{what} on {facts.vendor_label}'s account failed: {why}."
    )
    note = "It was made outside connectbot (the vendor's Stripe Dashboard or another app)."
    if code:
        note += f" Stripe's code: `{code}`."
    return _alert(head.removeprefix(":x: ") + " " + note, head, [note], facts)


def payment_canceled_message(facts: PaymentFacts, *, reason: str | None) -> dict[str, Any]:
    """A PaymentIntent was canceled: nothing will be charged on it."""
    words = CANCELLATION_REASONS.get(reason or "", (reason or "").replace("_", " "))
    because = f": {words}" if words else ""
    head = (
        f":no_entry_sign: The payment of {_amount(facts)} on {facts.vendor_label}'s account "
        f"was canceled{because}."
    )
    note = "Nothing will be charged on it."
    return _alert(head.removeprefix(":no_entry_sign: ") + " " + note, head, [note], facts)
