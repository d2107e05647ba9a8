"""The daily digest (pure: one day's totals in, Block Kit out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.money import Money, format_money
from bot.views.message import message
from storage.repos.reports import VendorTotals

MAX_VENDORS = 40  # a message holds 50 blocks; more vendors are counted, not listed


@dataclass(frozen=True)
class VendorDay:
    """One vendor's day: succeeded charges per currency (maybe none) and disputes opened."""

    vendor_user_id: str
    stripe_account_id: str
    totals: tuple[VendorTotals, ...]
    disputes: int


def day_label(day: date) -> str:
    """`Tue 9 Jun 2026`."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def vendor_summary(v: VendorDay) -> str:
    """`2 charges, gross $150.00, fees $11.00, refunds $40.00; 1 dispute` (per currency)."""

    def m(amount: int, currency: str) -> str:
        return format_money(Money(amount, currency))

    parts = [
        f"{_plural(t.count, 'charge')}, gross {m(t.gross, t.currency)}, "
        f"fees {m(t.fees, t.currency)}, refunds {m(t.refunds, t.currency)}"
        for t in v.totals
    ] or ["no charges"]
    return "; ".join(parts) + f"; {_plural(v.disputes, 'dispute')}"


def digest_message(
    day: date, vendors: Sequence[VendorDay], unattributed_disputes: int
) -> dict[str, Any]:
    """The ops channel's digest: every vendor with charges or disputes on `day`."""
    label = day_label(day)
    lines = [f"<@{v.vendor_user_id}>: {vendor_summary(v)}" for v in vendors]
    if unattributed_disputes:
        lines.append(
            f"{_plural(unattributed_disputes, 'dispute')} on charges not made through connectbot"
        )
    if not lines:
        return message(f"Daily digest for {label}: no charges and no disputes.")
    blocks: list[Block] = [HeaderBlock(text=f"Daily digest · {label}")]
    for v in vendors[:MAX_VENDORS]:
        text = f"*<@{v.vendor_user_id}>* · `{v.stripe_account_id}`\n{vendor_summary(v)}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    if len(vendors) > MAX_VENDORS:
        more = f"and {len(vendors) - MAX_VENDORS} more vendors (see `/fees`)"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    if unattributed_disputes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=lines[-1])]))
    return message(f"Daily digest for {label}:\n" + "\n".join(lines), blocks)


def vendor_digest_message(day: date, vendor: VendorDay) -> dict[str, Any]:
    """One vendor's own line of the digest, for their channel."""
    label = day_label(day)
    summary = vendor_summary(vendor)
    blocks: list[Block] = [
        HeaderBlock(text=f"Your day · {label}"),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*<@{vendor.vendor_user_id}>* · `{vendor.stripe_account_id}`\n{summary}"
            )
        ),
    ]
    return message(f"Daily digest for {label}, <@{vendor.vendor_user_id}>: {summary}", blocks)
