"""The charge outcome messages: confirmation, decline, authentication, delay, failure (pure:
facts in, Block Kit out). The confirmation modal is `bot/views/charge.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.money import Money, format_money, vendor_net
from bot.views.dashboard import dashboard_link
from bot.views.message import message
from bot.views.refund_modal import refund_button


@dataclass(frozen=True)
class ChargeFacts:
    """What every charge message says, whichever path (listener or webhook) sends it."""

    charge_id: str
    vendor_user_id: str
    money: Money
    fee: int
    customer_email: str | None
    card: str | None
    requested_by: str
    description: str | None = None
    payment_intent_id: str | None = None
    #: The vendor's account and its mode, for Dashboard links (`bot/views/dashboard.py`).
    account: str | None = None
    livemode: bool = False


def _who(facts: ChargeFacts) -> str:
    customer = facts.customer_email or "the customer"
    return f"{customer} ({facts.card})" if facts.card else customer


def _refs(facts: ChargeFacts) -> str:
    parts = [f"`{facts.charge_id}`"]
    if facts.payment_intent_id:
        linked = dashboard_link(
            facts.payment_intent_id, livemode=facts.livemode, account=facts.account
        )
        parts.insert(0, f"PaymentIntent {linked}")
    return " · ".join(parts)


def _noted(emoji: str, text: str, facts: ChargeFacts) -> dict[str, Any]:
    """A charge message: `text` after its emoji, then the charge's references."""
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f"{emoji} {text}")),
            ContextBlock(elements=[MarkdownTextObject(text=_refs(facts))]),
        ],
    )


def succeeded_message(facts: ChargeFacts, *, refundable: bool = True) -> dict[str, Any]:
    """Channel confirmation: amount, customer and card, vendor, fee split, PaymentIntent; with
    the Refund button unless `refundable` is False (the vendor's own DM copy: only operators
    refund, so a button there would only answer "no")."""
    amount = format_money(facts.money)
    fee = format_money(Money(facts.fee, facts.money.currency))
    net = format_money(Money(vendor_net(facts.money.amount, facts.fee), facts.money.currency))
    text = (
        f"Charged {amount} to {_who(facts)} for <@{facts.vendor_user_id}>: platform fee {fee}, "
        f"vendor receives {net} before Stripe fees."
    )
    details = f"{_refs(facts)} · requested by <@{facts.requested_by}>"
    if facts.description:
        details += f" · {facts.description}"
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=f":white_check_mark: {text}")),
        ContextBlock(elements=[MarkdownTextObject(text=details[:3000])]),
    ]
    if refundable:
        blocks.append(refund_button(facts.charge_id))  # operators only: checked on the click
    return message(text, blocks)


def declined_message(facts: ChargeFacts, reason: str, code: str | None) -> dict[str, Any]:
    """Private to the requester: the card was declined and why (Stripe's words)."""
    shown = f" (`{code}`)" if code else ""
    text = (
        f"The charge of {format_money(facts.money)} to {_who(facts)} for "
        f"<@{facts.vendor_user_id}> was declined{shown}: {reason} Nothing was charged."
    )
    return _noted(":no_entry:", text, facts)


def authentication_message(facts: ChargeFacts) -> dict[str, Any]:
    """Channel note: the bank wants the customer to authenticate; what happens next."""
    text = (
        f"The charge of {format_money(facts.money)} to {_who(facts)} for "
        f"<@{facts.vendor_user_id}> needs the customer to authenticate with their bank, which "
        "can't happen while they are away. Nothing was charged. Next: ask the customer to save "
        "a card again with the `/add-customer` link (authenticating there), then `/charge` again."
    )
    return _noted(":lock:", text, facts)


def delayed_message(facts: ChargeFacts) -> dict[str, Any]:
    """Private to the requester: Stripe did not answer; connectbot settles it by itself."""
    text = (
        f"Stripe hasn't confirmed the charge of {format_money(facts.money)} for "
        f"<@{facts.vendor_user_id}> yet. Don't charge again: connectbot retries the same "
        "request automatically (it can't charge twice) and posts the outcome when it knows it."
    )
    return _noted(":hourglass:", text, facts)


def failed_message(facts: ChargeFacts, reason: str) -> dict[str, Any]:
    """Private to the requester: the charge could not be made (not a card decline)."""
    text = (
        f"The charge of {format_money(facts.money)} for <@{facts.vendor_user_id}> could not be "
        f"made: {reason} Nothing was charged."
    )
    return _noted(":warning:", text, facts)


def abandoned_message(facts: ChargeFacts) -> dict[str, Any]:
    """Private to the requester: Stripe never got the charge, and it is too old to send now."""
    text = (
        f"connectbot gave up on the charge of {format_money(facts.money)} to {_who(facts)} for "
        f"<@{facts.vendor_user_id}>: Stripe has no record of it almost a day after it was "
        "requested, so it never reached Stripe. It is not sent again: Stripe forgets a "
        "request's idempotency key after 24 hours, and a late retry could charge twice. "
        "Nothing was charged. If the charge is still wanted, start it again with `/charge`."
    )
    return _noted(":warning:", text, facts)
