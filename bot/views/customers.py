"""Customer messages (pure: data in, Block Kit out): Checkout links, saved cards, shares."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.views.dashboard import dashboard_link
from bot.views.message import message

BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}


def describe_card(
    brand: str | None, last4: str | None, exp_month: int | None, exp_year: int | None
) -> str:
    """`Visa •••• 4242 (exp 12/29)`; parts Stripe did not give are left out."""
    name = BRANDS.get((brand or "").lower(), (brand or "Card").title())
    text = f"{name} •••• {last4}" if last4 else name
    if exp_month and exp_year:
        text += f" (exp {exp_month:02d}/{exp_year % 100:02d})"
    return text


def checkout_link_message(*, email: str, url: str, current_card: str | None) -> dict[str, Any]:
    """The private reply to /add-customer: a button and the bare URL, to pass on."""
    intro = f"Send this link to *{email}* so they can save a card (Stripe Checkout):"
    context = (
        f"Card on file now: {current_card}. A new card replaces it."
        if current_card
        else "When they save a card, the ops channel is told."
    )
    return message(
        f"Card link for {email}: {url}",
        [
            SectionBlock(text=MarkdownTextObject(text=intro)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Open the Checkout page",
                        url=url,
                        action_id="customer_checkout_link",
                        style="primary",
                    )
                ]
            ),
            SectionBlock(text=MarkdownTextObject(text=f"<{url}|{url}>")),
            ContextBlock(elements=[MarkdownTextObject(text=context)]),
        ],
    )


def card_saved_message(*, email: str, card: str) -> dict[str, Any]:
    """`jane@example.com now has a card on file: Visa •••• 4242 (exp 12/29).`"""
    text = f"{email} now has a card on file: {card}."
    return message(text, [SectionBlock(text=MarkdownTextObject(text=f":credit_card: {text}"))])


def shared_message(
    *,
    email: str,
    vendor_user_id: str,
    card: str,
    account: str,
    customer_on_account: str | None = None,
    livemode: bool = False,
) -> dict[str, Any]:
    """The channel's note that a customer was shared with a vendor: the vendor's account and
    the customer's copy on it, linked to their Dashboard pages."""
    text = f"{email} was shared with <@{vendor_user_id}> ({card})."
    refs = f"Stripe account {dashboard_link(account, livemode=livemode)}"
    if customer_on_account:
        linked = dashboard_link(customer_on_account, livemode=livemode, account=account)
        refs += f" · customer {linked}"
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":handshake: {text}")),
            ContextBlock(elements=[MarkdownTextObject(text=refs)]),
        ],
    )


def card_expiring_message(
    *,
    email: str,
    card: str,
    exp_month: int,
    exp_year: int,
    customer_link: str,
) -> dict[str, Any]:
    """A customer's saved card expires at the end of `exp_month`/`exp_year`: ask for a new one
    (`/add-customer` sends a fresh Checkout link) before charges start failing. `card` is as
    `describe_card` words it; `customer_link` the customer's Dashboard link."""
    month = f"{exp_year:04d}-{exp_month:02d}"
    text = (
        f"The card on file for {email} ({card}) expires at the end of {month}. "
        f"Ask them to save a new one: `/add-customer {email}` sends them a link."
    )
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":calendar: {text}")),
            ContextBlock(elements=[MarkdownTextObject(text=f"Customer {customer_link}")]),
        ],
    )
