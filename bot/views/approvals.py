"""Approval requests for charges above APPROVAL_THRESHOLD (pure: data in, Block Kit out)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.money import Money, format_money
from bot.views.charge_messages import ChargeFacts
from bot.views.dashboard import dashboard_link
from bot.views.message import message

APPROVE, REJECT = "charge_approve", "charge_reject"


def _summary(facts: ChargeFacts) -> str:
    customer = facts.customer_email or "the customer"
    if facts.card:
        customer += f" ({facts.card})"
    fee = format_money(Money(facts.fee, facts.money.currency))
    line = (
        f"{format_money(facts.money)} to {customer} for <@{facts.vendor_user_id}> "
        f"(platform fee {fee}), requested by <@{facts.requested_by}>"
    )
    # The description in quotes, not after a colon: the message already has one.
    return f"{line}, for “{facts.description}”" if facts.description else line


def _refs(facts: ChargeFacts) -> str:
    """The charge's own id, its PaymentIntent once Stripe was asked, and the vendor's account,
    each linked to its Dashboard page so the approver can look before deciding."""
    parts = [f"`{facts.charge_id}`"]
    if facts.payment_intent_id:
        linked = dashboard_link(
            facts.payment_intent_id, livemode=facts.livemode, account=facts.account
        )
        parts.append(f"PaymentIntent {linked}")
    if facts.account:
        parts.append(f"vendor account {dashboard_link(facts.account, livemode=facts.livemode)}")
    return " · ".join(parts)


def approval_request(facts: ChargeFacts, *, threshold: Money) -> dict[str, Any]:
    """The ops-channel message with Approve / Reject; the buttons carry the charge id."""
    text = f"Approval needed: {_summary(facts)}."
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":raised_hand: {text}")),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Above {format_money(threshold)}: a second operator must approve. "
                        f"{_refs(facts)}"
                    )
                ]
            ),
            ActionsBlock(
                block_id="approval",
                elements=[
                    ButtonElement(
                        text="Approve", action_id=APPROVE, value=facts.charge_id, style="primary"
                    ),
                    ButtonElement(
                        text="Reject", action_id=REJECT, value=facts.charge_id, style="danger"
                    ),
                ],
            ),
        ],
    )


def approval_decided(facts: ChargeFacts, *, approved: bool, by: str) -> dict[str, Any]:
    """The request message once decided: the buttons are gone, the decider is named."""
    verdict = "Approved" if approved else "Rejected"
    icon = ":white_check_mark:" if approved else ":x:"
    text = f"{verdict} by <@{by}>: {_summary(facts)}."
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f"{icon} {text}")),
            ContextBlock(elements=[MarkdownTextObject(text=_refs(facts))]),
        ],
    )


def approval_pending_note(facts: ChargeFacts) -> dict[str, Any]:
    """Private to the requester: the charge waits for another operator."""
    text = (
        f"{format_money(facts.money)} for <@{facts.vendor_user_id}> needs a second operator's "
        "approval; the request is in the ops channel. Nothing is charged until someone approves."
    )
    return message(text)


def rejected_note(facts: ChargeFacts, *, by: str) -> dict[str, Any]:
    """Private to the requester: another operator rejected the charge."""
    text = (
        f"<@{by}> rejected the charge of {format_money(facts.money)} for "
        f"<@{facts.vendor_user_id}>. Nothing was charged."
    )
    return message(text)
