"""The `/vendors` list and the disconnect confirmation (pure: data in, Block Kit out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.views.dashboard import dashboard_link
from bot.views.message import message

PAGE_SIZE = 20
PAGE_ACTION = "vendors_page"
DISCONNECT_CONFIRM_ACTION = "vendors_disconnect_confirm"
DISCONNECT_CANCEL_ACTION = "vendors_disconnect_cancel"

_STATUS = {
    "connected": ":large_green_circle: connected",
    "onboarding": ":large_yellow_circle: onboarding",
    "disconnected": ":white_circle: disconnected",
}


@dataclass(frozen=True)
class VendorLine:
    """One row of the list, already in words (fee policy described, channel id or None)."""

    slack_user_id: str
    account_id: str
    status: str
    charges_enabled: bool
    payouts_enabled: bool
    fee: str  # e.g. "5% + $0.30", or "default (10%)"
    channel_id: str | None
    livemode: bool = False  # the account's mode, for its Dashboard link


def _yes(flag: bool) -> str:
    return ":white_check_mark:" if flag else ":x:"


def _account(vendor: VendorLine, *, own_only: bool) -> str:
    """The account linked to its Connect page; code in a vendor's own list, where the link
    would open the platform's Connect page, which they cannot open (as in their welcome DM)."""
    if own_only:
        return f"`{vendor.account_id}`"
    return dashboard_link(vendor.account_id, livemode=vendor.livemode)


def _line(vendor: VendorLine, *, own_only: bool) -> SectionBlock:
    channel = f"<#{vendor.channel_id}>" if vendor.channel_id else "ops channel"
    status = _STATUS.get(vendor.status, vendor.status)
    text = (
        f"*<@{vendor.slack_user_id}>* · {_account(vendor, own_only=own_only)} · {status}\n"
        f"Charges {_yes(vendor.charges_enabled)}  Payouts {_yes(vendor.payouts_enabled)}  "
        f"·  Fee: {vendor.fee}  ·  Notifications: {channel}"
    )
    return SectionBlock(text=MarkdownTextObject(text=text))


def vendor_list(
    lines: list[VendorLine], *, offset: int, total: int, own_only: bool = False
) -> dict[str, Any]:
    """A page of vendors (`PAGE_SIZE` per page) with Previous / Next buttons when needed."""
    if not lines:
        text = "You're not a vendor yet." if own_only else "No vendors yet."
        return message(f"{text} Connect one with `/connect-vendor`.")
    first, last = offset + 1, offset + len(lines)
    title = "Your vendor account" if own_only else f"Vendors ({total})"
    blocks: list[Block] = [HeaderBlock(text=title)]
    if total > len(lines):
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"Showing {first}–{last} of {total}")])
        )
    for vendor in lines:
        blocks += [DividerBlock(), _line(vendor, own_only=own_only)]
    buttons = []
    if offset > 0:
        buttons.append(
            ButtonElement(
                text="Previous",
                action_id=f"{PAGE_ACTION}_prev",
                value=str(max(0, offset - PAGE_SIZE)),
            )
        )
    if last < total:
        buttons.append(ButtonElement(text="Next", action_id=f"{PAGE_ACTION}_next", value=str(last)))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    summary = "; ".join(
        f"<@{v.slack_user_id}> {_account(v, own_only=own_only)} {v.status}" for v in lines
    )
    return message(f"{title}: {summary}", blocks)


def disconnect_confirmation(
    vendor_id: int, slack_user_id: str, account_id: str, *, livemode: bool = False
) -> dict[str, Any]:
    """The private question before `/vendors disconnect` calls Stripe; the account links to its
    Connect page, to look before deciding."""
    account = dashboard_link(account_id, livemode=livemode)
    text = (
        f"Disconnect <@{slack_user_id}> ({account})? The platform loses access to their "
        "Stripe account and charges to them are refused until they connect again."
    )
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":warning: {text}")),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Disconnect",
                        style="danger",
                        action_id=DISCONNECT_CONFIRM_ACTION,
                        value=str(vendor_id),
                    ),
                    ButtonElement(
                        text="Cancel", action_id=DISCONNECT_CANCEL_ACTION, value=str(vendor_id)
                    ),
                ]
            ),
        ],
    )
