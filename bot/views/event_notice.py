"""The generic rendering of a Stripe event an admin asked for with `/notify add`.

Pure: the event as Stripe sent it in, text and Block Kit out. It shows the event type, the
object (its kind and id), the amount formatted for people when the object has an integer
`amount` and a `currency`, the vendor (a mention when connectbot knows the account), and every
id it names linked to its Dashboard page (`bot.views.dashboard`: test or live, on the vendor's
account). Only fields that mean the same for every object and API version are read: `id`,
`object`, `amount`, `currency`, and the ids of related objects below.
"""

from __future__ import annotations

import re
from typing import Any, Final

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.message import message

#: Fields that name a related object by id, shown (linked) when the object has them.
RELATED: Final = (
    "customer",
    "payment_intent",
    "charge",
    "payment_method",
    "payout",
    "dispute",
    "invoice",
    "subscription",
)
_ID_RE: Final = re.compile(r"[a-z]{2,8}_[A-Za-z0-9]{1,250}")
_CURRENCY_RE: Final = re.compile(r"[a-z]{3}")


def _plain(text: str) -> str:
    """Stripe's text with Slack's control characters escaped (Slack's "Formatting text for
    app surfaces": `&`, `<`, `>`), so a value cannot make a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def amount_of(obj: dict[str, Any]) -> Money | None:
    """The object's `amount` in its `currency`, when it has both as Stripe writes them (an
    integer in minor units, a three-letter code); None otherwise."""
    amount, currency = obj.get("amount"), obj.get("currency")
    if not isinstance(amount, int) or isinstance(amount, bool) or not isinstance(currency, str):
        return None
    code = currency.lower()
    return Money(amount, code) if _CURRENCY_RE.fullmatch(code) else None


def _link(value: Any, *, livemode: bool, account: str | None) -> str | None:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        return None
    return dashboard_link(value, livemode=livemode, account=account)


def event_notice(
    event: dict[str, Any], *, vendor_user_id: str | None, subscription: str
) -> dict[str, Any]:
    """The message for `event` (a Stripe event as delivered); `vendor_user_id` is the Slack
    user of the event's `account` when connectbot knows it; `subscription` is the type or group
    (`payout.*`) the admin subscribed to, shown so readers know where the message comes from."""
    livemode = bool(event.get("livemode"))
    # Only an id goes into a link: anything else in `account` is not one Stripe would send.
    raw_account = event.get("account")
    account = (
        raw_account if isinstance(raw_account, str) and _ID_RE.fullmatch(raw_account) else None
    )
    obj = (event.get("data") or {}).get("object") or {}
    event_type = _plain(str(event.get("type") or "event"))
    kind = _plain(str(obj.get("object") or "object").replace("_", " "))
    object_link = _link(obj.get("id"), livemode=livemode, account=account)
    money = amount_of(obj)
    account_link = _link(account, livemode=livemode, account=None)
    if account is None or account_link is None:
        where = "on the platform"
    elif vendor_user_id:
        where = f"on <@{vendor_user_id}>'s account {account_link}"
    else:
        where = f"on account {account_link}"

    headline = f"`{event_type}`: {kind}" + (f" {object_link}" if object_link else "")
    if money is not None:
        headline += f" of {format_money(money)}"
    headline += f" {where}"
    lines = [f":bell: {headline}"]
    related = [
        f"{field.replace('_', ' ')} {link}"
        for field in RELATED
        if (link := _link(obj.get(field), livemode=livemode, account=account))
    ]
    if related:
        lines.append(" · ".join(related))
    event_link = _link(event.get("id"), livemode=livemode, account=account)
    context = f"Stripe event {event_link}" if event_link else "Stripe event"
    context += f" · announced because of `/notify add {_plain(subscription)}`"
    if not livemode:
        context += " · test mode"
    return message(
        headline,
        [
            SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
            ContextBlock(elements=[MarkdownTextObject(text=context)]),
        ],
    )
