"""Slack messages of vendor onboarding (pure: data in, Block Kit out)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.views.dashboard import dashboard_link
from bot.views.message import message

CONNECT_LINK_ACTION = "connect_vendor_open_link"


def _enabled(flag: bool) -> str:
    return "yes" if flag else "not yet"


def connect_link(
    url: str, *, requested_by: str | None, hosted: bool = False, retry_reason: str | None = None
) -> dict[str, Any]:
    """The private "Connect with Stripe" button; `requested_by` set when someone sent it for you.

    `retry_reason` (mrkdwn, one of the `RETRY_*` texts) when this is a fresh link after an
    attempt that did not work; it leads the message.
    """
    what = "set up your Stripe account" if hosted else "connect your Stripe account"
    what += " with the marketplace"
    if retry_reason:
        text = f"{retry_reason} Here's a fresh link: {url}"
        lead = f":warning: {retry_reason} Here's a fresh link to {what}."
    else:
        # One whole sentence each way: a question for yourself, a statement for an invitation.
        intro = f"<@{requested_by}> invited you to {what}." if requested_by else f"Ready to {what}?"
        text = f"{intro} Your link: {url}"
        lead = (
            f":link: *{intro}* Payments you take through connectbot then land in your own "
            "Stripe account."
        )
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=lead)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Set up with Stripe" if hosted else "Connect with Stripe",
                        url=url,
                        style="primary",
                        action_id=CONNECT_LINK_ACTION,
                    )
                ]
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="The link is yours alone, works once, and expires in 15 minutes. "
                        "Run `/connect-vendor` again for a fresh one."
                    )
                ]
            ),
        ],
    )


# Why a vendor gets a fresh link after the OAuth callback, in mrkdwn.
RETRY_UNCONFIRMED = (
    "*Your Stripe connection didn't go through:* Stripe didn't confirm it, so we can't tell "
    "whether it worked. To keep your account safe, that authorization won't be used again."
)
RETRY_REJECTED = (
    "*Your Stripe connection didn't go through:* Stripe didn't accept the authorization "
    "(it had expired or was already used)."
)


_NO_NEW_LINK = "No new link is needed."


def already_connected(
    account_id: str, *, vendor_user_id: str | None = None, livemode: bool = False
) -> str:
    """Why no new link: the vendor (`vendor_user_id`, asked by someone else) or the caller
    is connected already. To an operator the account links to its Connect page; to the vendor
    it stays code, since that page is the platform's and they cannot open it."""
    if vendor_user_id:
        linked = dashboard_link(account_id, livemode=livemode)
        return f"<@{vendor_user_id}> is already connected to Stripe as {linked}. " + _NO_NEW_LINK
    return f"You're already connected to Stripe as `{account_id}`. " + _NO_NEW_LINK


def link_sent(vendor_user_id: str) -> str:
    return (
        f"I sent <@{vendor_user_id}> a private Connect with Stripe link. "
        "I'll tell you here once they've connected."
    )


def vendor_welcome(
    account_id: str, *, charges_enabled: bool, payouts_enabled: bool
) -> dict[str, Any]:
    """The DM a vendor gets when their account is connected.

    The account stays code, not a link: only the vendor reads this DM, and the account's
    Dashboard link opens the platform's Connect page, which they cannot open."""
    text = f"Your Stripe account `{account_id}` is connected to the marketplace."
    detail = (
        f"Charges enabled: {_enabled(charges_enabled)} · "
        f"Payouts enabled: {_enabled(payouts_enabled)}"
    )
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=f":white_check_mark: {text}")),
        ContextBlock(elements=[MarkdownTextObject(text=detail)]),
    ]
    if not charges_enabled:
        blocks.insert(
            1,
            SectionBlock(
                text=MarkdownTextObject(
                    text="Stripe still needs some details before you can take payments; "
                    "finish them in your Stripe Dashboard."
                )
            ),
        )
    return message(text, blocks)


def vendor_connected_note(
    vendor_user_id: str,
    account_id: str,
    *,
    livemode: bool,
    charges_enabled: bool,
    payouts_enabled: bool,
    requested_by: str | None,
) -> dict[str, Any]:
    """The ops channel's note that a vendor connected."""
    mode = "live" if livemode else "test"
    linked = dashboard_link(account_id, livemode=livemode)
    text = f"<@{vendor_user_id}> connected Stripe account {linked} ({mode} mode)."
    context = (
        f"Charges enabled: {_enabled(charges_enabled)} · "
        f"Payouts enabled: {_enabled(payouts_enabled)}"
    )
    if requested_by and requested_by != vendor_user_id:
        context += f" · invited by <@{requested_by}>"
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":handshake: {text}")),
            ContextBlock(elements=[MarkdownTextObject(text=context)]),
        ],
    )


def vendor_declined() -> dict[str, Any]:
    return message(
        "You declined to connect your Stripe account, so nothing was connected. "
        "Run `/connect-vendor` whenever you'd like to try again."
    )


def vendor_disconnected(
    vendor_user_id: str, account_id: str, *, by: str | None, livemode: bool = False
) -> dict[str, Any]:
    """Channel message: the platform no longer has access to the vendor's account."""
    cause = f" by <@{by}>" if by else " from Stripe"
    text = (
        f"<@{vendor_user_id}> ({dashboard_link(account_id, livemode=livemode)}) was "
        f"disconnected{cause}. "
        "Charges to them are refused until they connect again."
    )
    return message(text, [SectionBlock(text=MarkdownTextObject(text=f":electric_plug: {text}"))])


def charges_changed(
    vendor_user_id: str, account_id: str, *, enabled: bool, livemode: bool = False
) -> dict[str, Any]:
    """Channel message: Stripe enabled or disabled charges on the vendor's account (linked to
    its Dashboard page)."""
    who = f"<@{vendor_user_id}> ({dashboard_link(account_id, livemode=livemode)})"
    if enabled:
        text = f"{who} can now take payments: charges are enabled."
        icon = ":large_green_circle:"
    else:
        text = (
            f"{who} can no longer take payments: Stripe disabled "
            "charges on their account. They should check their Stripe Dashboard."
        )
        icon = ":red_circle:"
    return message(text, [SectionBlock(text=MarkdownTextObject(text=f"{icon} {text}"))])
