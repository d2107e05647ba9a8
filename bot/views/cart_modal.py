"""The split cart's confirmation modal (pure: data in, Block Kit out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.money.carts import CartLine, cart_totals
from bot.views.cart import line_text, totals_text
from bot.views.charge import CUSTOMER, DESCRIPTION, MAX_METADATA, MAX_OPTIONS, CustomerChoice

CART_CALLBACK_ID = "cart_confirm"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def cart_modal(
    *,
    lines: Sequence[CartLine],
    customers: Sequence[CustomerChoice],
    customer_id: int | None,
    description: str | None,
    note: str | None,
    private_metadata: str,
) -> dict[str, Any]:
    """One confirmation for the whole cart: each vendor's part, fee and net, the total, the
    customer picker and the description. The amounts are fixed (a different split is a new
    `/charge`); submitting charges exactly what it shows. Refuses (ValueError) what Slack
    would: more than 100 customers, private metadata over 3,000 characters."""
    if len(customers) > MAX_OPTIONS:
        raise ValueError(f"a select holds at most {MAX_OPTIONS} options, not {len(customers)}")
    if len(private_metadata) > MAX_METADATA:
        raise ValueError(f"private_metadata is over {MAX_METADATA} characters")

    def option(c: CustomerChoice) -> dict[str, Any]:
        text = f"{c.email} · {c.card}" if c.card else c.email
        return {"text": _plain(text[:75]), "value": str(c.id)}

    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": CUSTOMER,
        "placeholder": _plain("Choose a customer"),
        "options": [option(c) for c in customers],
    }
    chosen = next((c for c in customers if c.id == customer_id), None)
    if chosen is not None:
        select["initial_option"] = option(chosen)
    described: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": DESCRIPTION,
        "max_length": 500,
    }
    if description:
        described["initial_value"] = description
    parts = "\n".join(f"• {line_text(line)}" for line in lines)
    summary = (
        f"*One charge per vendor, each on the vendor's own Stripe account:*\n{parts}\n"
        f"{totals_text(cart_totals(lines))}"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "parts", "text": {"type": "mrkdwn", "text": summary}},
        {
            "type": "input",
            "block_id": CUSTOMER,
            "label": _plain("Customer"),
            "element": select,
            "hint": _plain("Customers with a card on file."),
        },
        {
            "type": "input",
            "block_id": DESCRIPTION,
            "label": _plain("Description"),
            "element": described,
            "optional": True,
        },
    ]
    if note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return {
        "type": "modal",
        "callback_id": CART_CALLBACK_ID,
        "title": _plain("Confirm split cart"),
        "submit": _plain("Charge all"),
        "close": _plain("Cancel"),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }
