"""Payout notifications (pure: data in, Block Kit out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.message import message


def payout_message(
    *, status: str, amount: Money, vendor_label: str, arrival: int | None, failure: str | None
) -> dict[str, Any]:
    """`status` is `paid` or `failed`; `vendor_label` is a mention or an account id."""
    money = format_money(amount)
    if status == "paid":
        text = f"Payout of {money} to {vendor_label} has arrived."
        if arrival:
            day = datetime.fromtimestamp(arrival, UTC).strftime("%Y-%m-%d")
            text = f"Payout of {money} to {vendor_label} arrived on {day}."
        icon = ":bank:"
    else:
        # Stripe's failure messages are sentences with their own full stop.
        reason = (failure or "no reason given").strip().rstrip(".")
        text = f"Payout of {money} to {vendor_label} failed: {reason}."
        icon = ":warning:"
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f"{icon} {text}")),
            ContextBlock(elements=[MarkdownTextObject(text="Stripe payout")]),
        ],
    )
