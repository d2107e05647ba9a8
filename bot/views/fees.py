"""The /fees summary (pure: totals in, Block Kit out).

All vendors' totals per currency come first, then the vendors with the most gross in each
currency; the rest are counted, and named vendors are one `/fees … @vendor` away. A message
holds 50 blocks, so however many vendors there are the message stays inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from bot.views.message import message
from bot.views.rows import CurrencyTotals, Totals, VendorTotals

MAX_BLOCKS = 50  # Slack's limit for one message
MAX_CURRENCIES = 10  # totals sections; more currencies are summed in the text only
LISTED = 30  # vendors listed across all currencies


def top_per_currency(currencies: int) -> int:
    """How many vendors to list in each currency so that all fit in LISTED (at least 3)."""
    return max(3, LISTED // max(1, currencies))


def _m(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def totals_line(t: CurrencyTotals) -> str:
    """`All vendors, USD: 3 charges from 2 vendors, gross …, net to vendors …`."""
    return (
        f"All vendors, {t.currency.upper()}: {_plural(t.count, 'charge')} from "
        f"{_plural(t.vendors, 'vendor')}, gross {_m(t.gross, t.currency)}, "
        f"platform fees {_m(t.fees, t.currency)}, refunds {_m(t.refunds, t.currency)}, "
        f"net to vendors {_m(t.net, t.currency)}"
    )


def totals_section(t: CurrencyTotals, title: str) -> SectionBlock:
    """One currency's totals as Block Kit fields."""
    c = t.currency
    return SectionBlock(
        text=MarkdownTextObject(text=f"*{title} · {c.upper()}* · {_plural(t.vendors, 'vendor')}"),
        fields=_totals_fields(t, net="Net to vendors"),
    )


def _totals_fields(t: Totals, *, net: str) -> list[MarkdownTextObject]:
    """Count, gross, platform fees, refunds and net (labelled `net`) as Block Kit fields."""
    c = t.currency
    return [
        MarkdownTextObject(text=f"*Charges*\n{t.count:,}"),
        MarkdownTextObject(text=f"*Gross*\n{_m(t.gross, c)}"),
        MarkdownTextObject(text=f"*Platform fees*\n{_m(t.fees, c)}"),
        MarkdownTextObject(text=f"*Refunds*\n{_m(t.refunds, c)}"),
        MarkdownTextObject(text=f"*{net}*\n{_m(t.net, c)}"),
    ]


def not_listed(currencies: Sequence[CurrencyTotals], listed: Sequence[VendorTotals]) -> list[str]:
    """Per currency whose vendors are not all listed: how many are shown and of how many."""
    shown: dict[str, int] = {}
    for v in listed:
        shown[v.currency] = shown.get(v.currency, 0) + 1
    return [
        _top(shown.get(c.currency, 0), c.currency.upper()) + f" (of {c.vendors:,})"
        for c in currencies
        if shown.get(c.currency, 0) < c.vendors
    ]


def _top(n: int, currency: str) -> str:
    return (
        f"the {currency} vendor with the most gross"
        if n == 1
        else f"the {n:,} {currency} vendors with the most gross"
    )


def fee_summary_message(
    label: str,
    currencies: Sequence[CurrencyTotals],
    totals: Sequence[VendorTotals],
    *,
    one_vendor: bool = False,
    period: str = "<period>",
    livemode: bool = False,
) -> dict[str, Any]:
    """Totals per currency across all vendors (count, gross, fees, refunds, net), then per
    vendor and currency, most gross first. `one_vendor`: the summary of one named vendor, so
    the all-vendor totals (the same figures) are left out. `period`: how to type this period
    again, for the hint that names a vendor. `livemode`: the platform's mode, for the vendors'
    Dashboard links."""
    if not totals:
        return message(f"Fees for {label}: no charges.")
    lines: list[str] = []
    blocks: list[Block] = [HeaderBlock(text=f"Fees · {label}"[:150])]
    if not one_vendor:
        lines += [totals_line(c) for c in currencies]
        blocks += [totals_section(c, "All vendors") for c in currencies[:MAX_CURRENCIES]]
        blocks.append(DividerBlock())
    missing = [] if one_vendor else not_listed(currencies, totals)
    room = MAX_BLOCKS - len(blocks) - (1 if missing else 0)
    for t in totals:
        line = (
            f"<@{t.vendor_user_id}>: {_plural(t.count, 'charge')}, "
            f"gross {_m(t.gross, t.currency)}, platform fees {_m(t.fees, t.currency)}, "
            f"refunds {_m(t.refunds, t.currency)}, "
            f"net to vendor {_m(t.net, t.currency)}"
        )
        lines.append(line)
        if room > 0:
            room -= 1
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(
                        text=f"<@{t.vendor_user_id}> · "
                        f"{dashboard_link(t.stripe_account_id, livemode=livemode)} · "
                        f"{t.currency.upper()}"
                    ),
                    fields=_totals_fields(t, net="Net to vendor"),
                )
            )
    if missing:
        more = (
            "Listed here: " + "; ".join(missing) + ". For any other vendor, name them: "
            f"`/fees {period} @vendor`."
        )
        lines.append(more)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more[:3000])]))
    return message(f"Fees for {label}:\n" + "\n".join(lines), blocks)
