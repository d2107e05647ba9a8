"""Payout notifications and the `/payouts` answer (pure: data in, Block Kit out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.message import message
from bot.views.payout_failures import payout_advice


def day_of(timestamp: int) -> str:
    """A Unix timestamp's day in UTC, `2025-03-14` (Stripe's arrival dates are days)."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def payout_message(
    *,
    status: str,
    amount: Money,
    vendor_label: str,
    arrival: int | None,
    failure: str | None,
    failure_code: str | None = None,
    payout_id: str | None = None,
    livemode: bool = False,
    account: str | None = None,
) -> dict[str, Any]:
    """`status` is `paid` or `failed`; `vendor_label` is a mention or an account id. A failed
    payout says Stripe's reason and what the vendor should do (`payout_advice`); the payout's
    id links to its Dashboard page on `account`."""
    money = format_money(amount)
    blocks: list[Block] = []
    if status == "paid":
        text = f"Payout of {money} to {vendor_label} has arrived."
        if arrival:
            text = f"Payout of {money} to {vendor_label} arrived on {day_of(arrival)}."
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f":bank: {text}")))
    else:
        # Stripe's failure messages are sentences with their own full stop.
        reason = (failure or "no reason given").strip().rstrip(".")
        advice = payout_advice(failure_code)
        text = (
            f"Payout of {money} to {vendor_label} failed: {reason}. "
            f"The money is back in the Stripe balance. What to do: {advice}"
        )
        blocks += [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f":warning: Payout of {money} to {vendor_label} failed: {reason}."
                )
            ),
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*What to do:* {advice}\nThe money is back in the Stripe balance."
                )
            ),
        ]
    ref = dashboard_link(payout_id, livemode=livemode, account=account) if payout_id else ""
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Stripe payout {ref}".strip())]))
    return message(text, blocks)


@dataclass(frozen=True)
class PayoutSeen:
    """A payout as `/payouts` shows it: `status` is Stripe's (paid, pending, in_transit,
    canceled, failed), `arrival_date` a Unix timestamp."""

    money: Money
    status: str
    arrival_date: int


def _per_currency(amounts: Sequence[Money]) -> str:
    return ", ".join(format_money(money) for money in amounts) or format_money(Money(0, "usd"))


def _payout_line(label: str, payout: PayoutSeen | None, none: str) -> str:
    if payout is None:
        return f"*{label}:* {none}"
    status = payout.status.replace("_", " ")
    arrives = "arrived" if payout.status == "paid" else "arrival"
    return (
        f"*{label}:* {format_money(payout.money)} · {status} · "
        f"{arrives} {day_of(payout.arrival_date)}"
    )


def payouts_summary(
    *,
    vendor_label: str,
    available: Sequence[Money],
    pending: Sequence[Money],
    last: PayoutSeen | None,
    upcoming: PayoutSeen | None,
) -> dict[str, Any]:
    """`/payouts`: the balance available and pending per currency, the last payout made and
    the next one coming, with arrival dates and statuses. `vendor_label` is a mention."""
    lines = [
        f"*Available:* {_per_currency(available)}",
        f"*Pending:* {_per_currency(pending)}",
        _payout_line("Last payout", last, "none yet"),
        _payout_line("Next payout", upcoming, "none scheduled"),
    ]
    title = f":bank: Payouts of {vendor_label}"
    return message(
        f"Payouts of {vendor_label}: available {_per_currency(available)}, "
        f"pending {_per_currency(pending)}",
        [
            SectionBlock(text=MarkdownTextObject(text=title + "\n" + "\n".join(lines))),
            ContextBlock(elements=[MarkdownTextObject(text="Read from Stripe just now")]),
        ],
    )
