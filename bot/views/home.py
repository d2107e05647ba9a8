"""The App Home tab (pure: what the person may see in, a `home` view out).

Operators see the vendors, today's totals (volume, refunds, fees, net), the vendors with the
most volume today and the last charges; a vendor sees their
own account, volume and charges; anyone else how to connect. Home tabs hold 100 blocks and a
section's text 3000 characters: lists are capped well inside both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.fees import not_listed
from bot.views.rows import CurrencyTotals, RecentCharge, VendorTotals

MAX_VENDORS = 30
MAX_CURRENCIES = 10
TOP_TODAY = 5  # vendors with the most volume today, per currency

_STATUS = {
    "connected": ":large_green_circle: connected",
    "onboarding": ":large_yellow_circle: onboarding",
    "disconnected": ":white_circle: disconnected",
}
_CHARGE_STATUS = {
    "succeeded": ":white_check_mark: succeeded",
    "failed": ":x: failed",
    "pending": ":hourglass: pending",
    "requires_action": ":warning: needs authentication",
    "awaiting_approval": ":raised_hand: awaiting approval",
    "rejected": ":no_entry_sign: rejected",
}

CONNECT_HINT = (
    "To sell through this marketplace, connect your Stripe account: type `/connect-vendor` "
    "in any channel and follow the private *Connect with Stripe* button."
)


@dataclass(frozen=True)
class HomeVendor:
    slack_user_id: str
    account_id: str
    status: str
    charges_enabled: bool
    livemode: bool = False  # the account's mode, for its Dashboard link


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:3000])])


def _home(blocks: Sequence[Block]) -> dict[str, Any]:
    view = View(type="home", blocks=list(blocks))
    view.validate_json()
    return view.to_dict()


def _vendor_text(v: HomeVendor, *, linked: bool) -> str:
    """The vendor's line; `linked`: the account links to its Connect page (for operators)."""
    charges = ":white_check_mark:" if v.charges_enabled else ":x:"
    status = _STATUS.get(v.status, v.status)
    account = dashboard_link(v.account_id, livemode=v.livemode) if linked else f"`{v.account_id}`"
    return f"*<@{v.slack_user_id}>* · {account} · {status} · Charges {charges}"


def _volume(day_label: str, totals: Sequence[CurrencyTotals]) -> list[Block]:
    """Today's succeeded charges summed per currency: count, volume, refunds, platform fees
    and net to vendors, so a fee is read beside what was refunded, not as a share of volume."""
    blocks: list[Block] = [HeaderBlock(text=f"Today · {day_label}"[:150])]
    if not totals:
        return [*blocks, _section("No charges yet today.")]
    for t in totals[:MAX_CURRENCIES]:

        def m(amount: int, currency: str = t.currency) -> str:
            return format_money(Money(amount, currency))

        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=f"*Charges ({t.currency.upper()})*\n{t.count:,}"),
                    MarkdownTextObject(text=f"*Volume*\n{m(t.gross)}"),
                    MarkdownTextObject(text=f"*Refunds*\n{m(t.refunds)}"),
                    MarkdownTextObject(text=f"*Platform fees*\n{m(t.fees)}"),
                    MarkdownTextObject(text=f"*Net to vendors*\n{m(t.net)}"),
                ]
            )
        )
    return blocks


def _top_vendors(top: Sequence[VendorTotals], totals: Sequence[CurrencyTotals]) -> list[Block]:
    """Today's vendors with the most volume per currency, and how to see any other."""
    if not top:
        return []
    lines = [
        f"<@{t.vendor_user_id}> · {format_money(Money(t.gross, t.currency))} · "
        f"{t.count:,} charge{'' if t.count == 1 else 's'}"
        for t in top
    ]
    blocks: list[Block] = [_section("*Most volume today*\n" + "\n".join(lines))]
    missing = not_listed(totals, top)
    if missing:
        more = "Listed: " + "; ".join(missing) + ". `/fees today @vendor` shows any other vendor."
        blocks.append(_context(more))
    return blocks


def _charges(title: str, charges: Sequence[RecentCharge], *, show_vendor: bool) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=title)]
    if not charges:
        return [*blocks, _section("No charges yet.")]
    for c in charges:
        who = f" · <@{c.vendor_user_id}>" if show_vendor else ""
        status = _CHARGE_STATUS.get(c.status, c.status)
        refs = f"`{c.id}`"
        if c.payment_intent_id:
            # On the vendor's account: the link opens it there (a vendor with a Dashboard of
            # their own opens the same page, an operator from the platform).
            linked = dashboard_link(c.payment_intent_id, livemode=c.livemode, account=c.account)
            refs = f"PaymentIntent {linked} · {refs}"
        text = (
            f"*{format_money(Money(c.amount, c.currency))}*{who} · "
            f"{c.customer_email or 'no customer'} · {status}\n{refs}"
        )
        blocks.append(_section(text))
    return blocks


def operator_home(
    *,
    vendors: Sequence[HomeVendor],
    vendor_count: int,
    day_label: str,
    today: Sequence[CurrencyTotals],
    top: Sequence[VendorTotals],
    charges: Sequence[RecentCharge],
) -> dict[str, Any]:
    """Vendors (the first MAX_VENDORS), today's totals per currency, the vendors with the most
    volume today (TOP_TODAY per currency), the last charges."""
    blocks: list[Block] = [HeaderBlock(text=f"Vendors ({vendor_count})")]
    if not vendors:
        blocks.append(_section("No vendors yet. Send one a link with `/connect-vendor @vendor`."))
    blocks += [_section(_vendor_text(v, linked=True)) for v in vendors[:MAX_VENDORS]]
    if vendor_count > min(len(vendors), MAX_VENDORS):
        shown = min(len(vendors), MAX_VENDORS)
        blocks.append(_context(f"and {vendor_count - shown} more: `/vendors` lists them all"))
    blocks += [DividerBlock(), *_volume(day_label, today), *_top_vendors(top, today)]
    blocks += [DividerBlock(), *_charges("Last charges", charges, show_vendor=True)]
    return _home(blocks)


def vendor_home(
    *,
    vendor: HomeVendor,
    day_label: str,
    today: Sequence[CurrencyTotals],
    charges: Sequence[RecentCharge],
) -> dict[str, Any]:
    """The vendor's own account, their volume today, their last charges."""
    # Their own account stays code: its link opens the platform's Connect page, which a vendor
    # cannot open (as in their welcome DM).
    own = _section(_vendor_text(vendor, linked=False))
    blocks: list[Block] = [HeaderBlock(text="Your Stripe account"), own]
    if vendor.status == "disconnected":
        blocks.append(_context("Your account is disconnected. " + CONNECT_HINT))
    blocks += [DividerBlock(), *_volume(day_label, today), DividerBlock()]
    blocks += _charges("Your last charges", charges, show_vendor=False)
    blocks.append(_context("`/fees week` shows your fees and net for the week."))
    return _home(blocks)


def stranger_home() -> dict[str, Any]:
    """Someone who is neither an operator nor a vendor: what connectbot is, how to connect."""
    return _home(
        [
            HeaderBlock(text="Welcome to connectbot"),
            _section(
                "connectbot runs this workspace's marketplace on Stripe Connect: operators "
                "charge customers on behalf of vendors, and everyone sees payments, fees and "
                "disputes land in Slack."
            ),
            _section(CONNECT_HINT),
            _context("Every command answers `help`, for example `/connect-vendor help`."),
        ]
    )
