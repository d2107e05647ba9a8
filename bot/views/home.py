"""The App Home tab (pure: what the person may see in, a `home` view out).

Operators see the vendors, today's volume and fees, and the last charges; a vendor sees their
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
from storage.repos.reports import RecentCharge, VendorTotals

MAX_VENDORS = 30

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


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:3000])])


def _home(blocks: Sequence[Block]) -> dict[str, Any]:
    view = View(type="home", blocks=list(blocks))
    view.validate_json()
    return view.to_dict()


def _vendor_text(v: HomeVendor) -> str:
    charges = ":white_check_mark:" if v.charges_enabled else ":x:"
    status = _STATUS.get(v.status, v.status)
    return f"*<@{v.slack_user_id}>* · `{v.account_id}` · {status} · Charges {charges}"


def _volume(day_label: str, totals: Sequence[VendorTotals]) -> list[Block]:
    """Today's succeeded charges summed per currency: count, gross, platform fees."""
    by_currency: dict[str, tuple[int, int, int]] = {}
    for t in totals:
        count, gross, fees = by_currency.get(t.currency, (0, 0, 0))
        by_currency[t.currency] = (count + t.count, gross + t.gross, fees + t.fees)
    blocks: list[Block] = [HeaderBlock(text=f"Today · {day_label}"[:150])]
    if not by_currency:
        return [*blocks, _section("No charges yet today.")]
    for currency, (count, gross, fees) in sorted(by_currency.items()):
        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=f"*Charges ({currency.upper()})*\n{count}"),
                    MarkdownTextObject(text=f"*Volume*\n{format_money(Money(gross, currency))}"),
                    MarkdownTextObject(
                        text=f"*Platform fees*\n{format_money(Money(fees, currency))}"
                    ),
                ]
            )
        )
    return blocks


def _charges(title: str, charges: Sequence[RecentCharge], *, show_vendor: bool) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=title)]
    if not charges:
        return [*blocks, _section("No charges yet.")]
    for c in charges:
        who = f" · <@{c.vendor_user_id}>" if show_vendor else ""
        status = _CHARGE_STATUS.get(c.status, c.status)
        text = (
            f"*{format_money(Money(c.amount, c.currency))}*{who} · "
            f"{c.customer_email or 'no customer'} · {status}\n`{c.id}`"
        )
        blocks.append(_section(text))
    return blocks


def operator_home(
    *,
    vendors: Sequence[HomeVendor],
    vendor_count: int,
    day_label: str,
    today: Sequence[VendorTotals],
    charges: Sequence[RecentCharge],
) -> dict[str, Any]:
    """Vendors (the first MAX_VENDORS), today's volume and fees, the last charges."""
    blocks: list[Block] = [HeaderBlock(text=f"Vendors ({vendor_count})")]
    if not vendors:
        blocks.append(_section("No vendors yet. Send one a link with `/connect-vendor @vendor`."))
    blocks += [_section(_vendor_text(v)) for v in vendors[:MAX_VENDORS]]
    if vendor_count > min(len(vendors), MAX_VENDORS):
        shown = min(len(vendors), MAX_VENDORS)
        blocks.append(_context(f"and {vendor_count - shown} more: `/vendors` lists them all"))
    blocks += [DividerBlock(), *_volume(day_label, today), DividerBlock()]
    blocks += _charges("Last charges", charges, show_vendor=True)
    return _home(blocks)


def vendor_home(
    *,
    vendor: HomeVendor,
    day_label: str,
    today: Sequence[VendorTotals],
    charges: Sequence[RecentCharge],
) -> dict[str, Any]:
    """The vendor's own account, their volume today, their last charges."""
    blocks: list[Block] = [HeaderBlock(text="Your Stripe account"), _section(_vendor_text(vendor))]
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
