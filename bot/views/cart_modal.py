"""The split cart's confirmation modal (pure: data in, Block Kit out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.money.carts import CartLine, cart_totals
from bot.views.cart import line_text, totals_text
from bot.views.charge import (
    CustomerChoice,
    check_modal_limits,
    customer_input,
    description_input,
    plain_text,
)

CART_CALLBACK_ID = "cart_confirm"


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
    check_modal_limits(customers, private_metadata)
    parts = "\n".join(f"• {line_text(line)}" for line in lines)
    summary = (
        f"*One charge per vendor, each on the vendor's own Stripe account:*\n{parts}\n"
        f"{totals_text(cart_totals(lines))}"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "parts", "text": {"type": "mrkdwn", "text": summary}},
        customer_input(customers, customer_id),
        description_input(description),
    ]
    if note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return {
        "type": "modal",
        "callback_id": CART_CALLBACK_ID,
        "title": plain_text("Confirm split cart"),
        "submit": plain_text("Charge all"),
        "close": plain_text("Cancel"),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }
