"""Refund and dispute messages (pure: data in, Block Kit out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.message import message


@dataclass(frozen=True)
class RefundFacts:
    charge_id: str
    payment_intent_id: str | None
    refund_id: str | None
    vendor_user_id: str
    customer: str
    refunded: Money
    fee_refunded: Money
    charged: Money
    remaining: Money
    #: The vendor's account and its mode, for Dashboard links (`bot/views/dashboard.py`).
    account: str | None = None
    livemode: bool = False


def refund_message(facts: RefundFacts, *, outside: bool = False) -> dict[str, Any]:
    """`outside`: the refund was made elsewhere (the Dashboard), connectbot only saw it."""
    how = "was refunded outside connectbot" if outside else "refunded"
    whole = facts.remaining.amount == 0
    of = "" if whole and facts.refunded == facts.charged else f" of {format_money(facts.charged)}"
    head = (
        f"{format_money(facts.refunded)}{of} {how} to {facts.customer} "
        f"for <@{facts.vendor_user_id}>"
    )
    if whole:  # the refund that completes a charge says so, however many came before
        head += f": the whole {format_money(facts.charged)} is refunded"
    left = "nothing remains" if whole else f"{format_money(facts.remaining)} remains"
    text = f"{head} · platform fee refunded {format_money(facts.fee_refunded)} · {left}"
    # The PaymentIntent links to its Dashboard page, where its refunds are listed (a refund has
    # no page of its own: shown as code).
    refs = " · ".join(
        dashboard_link(r, livemode=facts.livemode, account=facts.account)
        if r.startswith("pi_")
        else f"`{r}`"
        if r.startswith("re_")
        else r
        for r in (facts.charge_id, facts.payment_intent_id, facts.refund_id)
        if r
    )
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":leftwards_arrow_with_hook: *{head}*")),
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=f"*Refunded*\n{format_money(facts.refunded)}"),
                    MarkdownTextObject(
                        text=f"*Platform fee refunded*\n{format_money(facts.fee_refunded)}"
                    ),
                    MarkdownTextObject(text=f"*Remaining*\n{format_money(facts.remaining)}"),
                ]
            ),
            ContextBlock(elements=[MarkdownTextObject(text=refs)]),
        ],
    )


def refund_not_made_message(
    *, charge_id: str, refund: Money, vendor_user_id: str, reason: str, abandoned: bool
) -> dict[str, Any]:
    """Private to the requester of a refund settled in the background: it was not made, why.

    `abandoned`: connectbot gave up on it (never reached Stripe, too old to send again).
    """
    text = (
        f"The refund of {format_money(refund)} of charge `{charge_id}` for "
        f"<@{vendor_user_id}> was not made: {reason} Nothing was refunded."
    )
    if abandoned:
        text += " If the refund is still wanted, run `/refund` again."
    return message(text, [SectionBlock(text=MarkdownTextObject(text=f":warning: {text}"))])


#: Why a charge in each state cannot be refunded ("Charge `cb_ch_…` failed; …").
_NOT_REFUNDABLE = {
    "failed": "failed, so nothing was charged",
    "pending": "is still waiting for Stripe's answer",
    "requires_action": "is waiting for the customer to authenticate",
    "awaiting_approval": "is waiting for a second operator's approval",
    "rejected": "was rejected, so nothing was charged",
}


def not_refundable(charge_id: str, status: str) -> str:
    """The refusal for refunding a charge that has not succeeded, in plain words."""
    state = _NOT_REFUNDABLE.get(status, f"is {status.replace('_', ' ')}")
    return f"Charge `{charge_id}` {state}; only succeeded charges can be refunded."
