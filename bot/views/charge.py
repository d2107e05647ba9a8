"""The /charge confirmation modal (pure: data in, Block Kit out). The messages about a charge's
outcome are `bot/views/charge_messages.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.money import Money, plain_amount
from bot.views.dashboard import dashboard_link

CALLBACK_ID = "charge_confirm"
#: Input blocks of the modal; each holds one element with the same action_id.
AMOUNT, CURRENCY, CUSTOMER, DESCRIPTION = "amount", "currency", "customer", "description"
FEE_PREVIEW = "fee_preview"
#: What Slack accepts: options in one select, characters of private_metadata.
MAX_OPTIONS, MAX_METADATA = 100, 3000


@dataclass(frozen=True)
class CustomerChoice:
    """One entry of the customer picker: the platform customer's id and how people see it."""

    id: int
    email: str
    card: str | None  # "Visa •••• 4242"


def card_label(brand: str | None, last4: str | None) -> str | None:
    """`Visa •••• 4242`, or None when the card is unknown."""
    if not last4:
        return None
    return f"{(brand or 'card').title()} •••• {last4}"


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": plain_text(text), "value": value}


def _customer_option(choice: CustomerChoice) -> dict[str, Any]:
    text = f"{choice.email} · {choice.card}" if choice.card else choice.email
    return _option(str(choice.id), text[:75])


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label),
        "element": element,
        **extra,
    }


def check_modal_limits(customers: Sequence[CustomerChoice], private_metadata: str) -> None:
    """Raise ValueError for what Slack would refuse in a confirmation modal: more than 100
    customers in the picker, private metadata over 3,000 characters."""
    if len(customers) > MAX_OPTIONS:
        raise ValueError(f"a select holds at most {MAX_OPTIONS} options, not {len(customers)}")
    if len(private_metadata) > MAX_METADATA:
        raise ValueError(f"private_metadata is over {MAX_METADATA} characters")


def customer_input(customers: Sequence[CustomerChoice], customer_id: int | None) -> dict[str, Any]:
    """The customer picker's input block, `customer_id` chosen when it is among `customers`."""
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": CUSTOMER,
        "placeholder": plain_text("Choose a customer"),
        "options": [_customer_option(c) for c in customers],
    }
    chosen = next((c for c in customers if c.id == customer_id), None)
    if chosen is not None:
        select["initial_option"] = _customer_option(chosen)
    return _input(CUSTOMER, "Customer", select, hint=plain_text("Customers with a card on file."))


def description_input(description: str | None) -> dict[str, Any]:
    """The optional description's input block (at most 500 characters), filled in if given."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": DESCRIPTION,
        "max_length": 500,
    }
    if description:
        element["initial_value"] = description
    return _input(DESCRIPTION, "Description", element, optional=True)


def charge_modal(
    *,
    vendor_user_id: str,
    vendor_account: str,
    money: Money,
    currencies: Sequence[str],
    customers: Sequence[CustomerChoice],
    customer_id: int | None,
    description: str | None,
    fee_preview: str,
    private_metadata: str,
    vendor_livemode: bool = False,
) -> dict[str, Any]:
    """The confirmation modal; submitting it unchanged charges exactly what it shows.

    The vendor's account links to its Connect page in `vendor_livemode`'s form.

    `fee_preview` is `describe_fee_split(…)` (or why the fee can't be computed); the amount and
    currency inputs dispatch actions so the preview follows edits. Refuses (ValueError) what
    Slack would refuse: more than 100 customers, private metadata over 3,000 characters.

    Built as plain Block Kit dicts, every one new for each call (nothing one request puts in
    its modal can show in another's): the same blocks as slack_sdk's models render, without
    their per-object validation on the ack's path (a test checks them against the models).
    """
    check_modal_limits(customers, private_metadata)
    currency_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": CURRENCY,
        "options": [_option(c, c.upper()) for c in currencies],
    }
    if money.currency in currencies:
        currency_select["initial_option"] = _option(money.currency, money.currency.upper())
    account = dashboard_link(vendor_account, livemode=vendor_livemode)
    vendor_text = (
        f"*Vendor:* <@{vendor_user_id}> ({account})\n"
        "The charge is made on the vendor's Stripe account, with the platform fee."
    )
    amount_input = {
        "type": "plain_text_input",
        "action_id": AMOUNT,
        "initial_value": plain_amount(money),
        "max_length": 64,
        # Every keystroke (and Enter) asks for a fresh fee preview.
        "dispatch_action_config": {
            "trigger_actions_on": ["on_enter_pressed", "on_character_entered"]
        },
    }
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain_text("Confirm charge"),
        "submit": plain_text("Charge"),
        "close": plain_text("Cancel"),
        "private_metadata": private_metadata,
        "blocks": [
            {
                "type": "section",
                "block_id": "vendor",
                "text": {"type": "mrkdwn", "text": vendor_text},
            },
            _input(AMOUNT, "Amount", amount_input, dispatch_action=True),
            _input(CURRENCY, "Currency", currency_select, dispatch_action=True),
            customer_input(customers, customer_id),
            description_input(description),
            {
                "type": "context",
                "block_id": FEE_PREVIEW,
                "elements": [{"type": "mrkdwn", "text": fee_preview}],
            },
        ],
    }
