"""The daily digest (pure: one day's totals in, Block Kit out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.fees import totals_line, totals_section
from bot.views.message import message
from bot.views.rows import CurrencyTotals, VendorTotals

# A message holds 50 blocks: header, up to MAX_CURRENCIES totals, a divider, the vendors, two
# notes. More vendors are counted, not listed.
MAX_CURRENCIES = 10
MAX_VENDORS = 30


@dataclass(frozen=True)
class VendorDay:
    """One vendor's day: succeeded charges per currency (maybe none) and disputes opened."""

    vendor_user_id: str
    stripe_account_id: str
    totals: tuple[VendorTotals, ...]
    disputes: int
    livemode: bool = False  # the account's mode, for its Dashboard link


def day_label(day: date) -> str:
    """`Tue 9 Jun 2026`."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _vendor_head(v: VendorDay) -> str:
    """`*@vendor* · acct_…`, the account linked to its Connect page: the ops channel and the
    vendor's own channel are read by operators, who open it from the platform."""
    return f"*<@{v.vendor_user_id}>* · {dashboard_link(v.stripe_account_id, livemode=v.livemode)}"


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
    day: date,
    currencies: Sequence[CurrencyTotals],
    vendors: Sequence[VendorDay],
    unattributed_disputes: int,
) -> dict[str, Any]:
    """The ops channel's digest: totals per currency across all vendors first, then the vendors
    with charges or disputes on `day` in the order given (most gross first), the first
    MAX_VENDORS of them; the rest are counted, with how to see any one of them."""
    label = day_label(day)
    lines = [totals_line(c) for c in currencies]
    lines += [f"<@{v.vendor_user_id}>: {vendor_summary(v)}" for v in vendors[:MAX_VENDORS]]
    more = ""
    if len(vendors) > MAX_VENDORS:
        more = (
            f"and {len(vendors) - MAX_VENDORS:,} more vendors: "
            f"`/fees {day.isoformat()} @vendor` shows any of them"
        )
        lines.append(more)
    disputes = ""
    if unattributed_disputes:
        disputes = (
            f"{_plural(unattributed_disputes, 'dispute')} on charges not made through connectbot"
        )
        lines.append(disputes)
    if not lines:
        return message(f"Daily digest for {label}: no charges and no disputes.")
    blocks: list[Block] = [HeaderBlock(text=f"Daily digest · {label}")]
    blocks += [totals_section(c, "All vendors") for c in currencies[:MAX_CURRENCIES]]
    if currencies:
        blocks.append(DividerBlock())
    for v in vendors[:MAX_VENDORS]:
        text = f"{_vendor_head(v)}\n{vendor_summary(v)}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    for note in (more, disputes):
        if note:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return message(f"Daily digest for {label}:\n" + "\n".join(lines), blocks)


def vendor_digest_message(day: date, vendor: VendorDay) -> dict[str, Any]:
    """One vendor's own line of the digest, for their channel."""
    label = day_label(day)
    summary = vendor_summary(vendor)
    blocks: list[Block] = [
        HeaderBlock(text=f"Your day · {label}"),
        SectionBlock(text=MarkdownTextObject(text=f"{_vendor_head(vendor)}\n{summary}")),
    ]
    return message(f"Daily digest for {label}, <@{vendor.vendor_user_id}>: {summary}", blocks)
