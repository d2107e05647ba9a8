"""The Refund button, the refund modal and the picker of recent charges (pure: facts in,
Block Kit out).

The button sits on each charge confirmation; the modal it opens names the charge and holds the
remaining amount and a reason. `/refund` with no argument opens the same modal with a
static_select of the recent refundable charges instead, so nobody copies a charge id by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.money import Money, format_money, plain_amount
from bot.views.rows import RefundableCharge

REFUND_BUTTON = "refund_open"  # action_id of the button on a charge confirmation
CALLBACK_ID = "refund_modal"
CHARGE = "refund_charge"  # block ids of the modal's inputs
AMOUNT = "refund_amount"
REASON = "refund_reason"
MAX_REASON = 200
PICKER_LIMIT = 20


def refund_button(charge_id: str) -> ActionsBlock:
    """The Refund button under a charge confirmation (operators only, checked on click)."""
    return ActionsBlock(
        block_id=f"refund:{charge_id}"[:255],
        elements=[ButtonElement(text="Refund…", action_id=REFUND_BUTTON, value=charge_id)],
    )


def option_text(c: RefundableCharge) -> str:
    """`$100.00 · jane@example.com · cb_ch_…` within Slack's 75 characters, id kept whole."""
    amount = format_money(Money(c.amount, c.currency))
    if c.refunded:
        amount += f" ({format_money(Money(c.remaining, c.currency))} left)"
    who = c.customer_email or "no customer"
    room = 75 - len(amount) - len(c.id) - 6
    if len(who) > room:
        who = who[: max(0, room - 1)] + "…"
    return f"{amount} · {who} · {c.id}"[:75]


def _describe(c: RefundableCharge) -> str:
    charged = format_money(Money(c.amount, c.currency))
    left = format_money(Money(c.remaining, c.currency))
    who = c.customer_email or "the customer"
    return (
        f"*Refund {who}* for <@{c.vendor_user_id}>\nCharged {charged}, {left} left to refund · "
        f"`{c.id}`"
    )


def refund_modal(
    *,
    charge: RefundableCharge | None,
    choices: Sequence[RefundableCharge] = (),
    private_metadata: str,
) -> dict[str, Any]:
    """The modal for one `charge` (its remaining amount prefilled), or, with `charge` None, a
    picker of `choices` (at most 100 options, Slack's limit) and an amount to fill in."""
    blocks: list[Any] = []
    if charge is not None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_describe(charge))))
        prefill: str | None = plain_amount(Money(charge.remaining, charge.currency))
    else:
        options = [Option(value=c.id, text=option_text(c)) for c in choices[:100]]
        blocks.append(
            InputBlock(
                block_id=CHARGE,
                label="Charge",
                element=StaticSelectElement(
                    action_id="value", placeholder="Pick a recent charge", options=options
                ),
            )
        )
        prefill = None
    amount = PlainTextInputElement(action_id="value", initial_value=prefill, max_length=32)
    blocks.append(
        InputBlock(
            block_id=AMOUNT,
            label="Amount to refund",
            element=amount,
            optional=charge is None,
            hint=None if charge is not None else "Leave it empty to refund everything left.",
        )
    )
    reason = PlainTextInputElement(
        action_id="value", max_length=MAX_REASON, placeholder="Customer returned the item"
    )
    blocks.append(InputBlock(block_id=REASON, label="Reason", element=reason))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="The platform fee is refunded in proportion. The reason is kept in "
                    "connectbot's audit log."
                )
            ]
        )
    )
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text="Refund"),
        submit=PlainTextObject(text="Refund"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=private_metadata,
        blocks=blocks,
    )
    view.validate_json()
    return view.to_dict()
