"""A dispute's life in messages (pure): opened, updated, closed, funds withdrawn or reinstated.

Stripe's statuses (https://docs.stripe.com/api/disputes/object, `status`) are shown in words;
an inquiry (`warning_…`) is a question from the bank that may become a dispute and moves no
money until it does (https://docs.stripe.com/disputes/how-disputes-work#inquiries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.dashboard import dashboard_link
from bot.views.message import message

#: A dispute's status in words, as in "the dispute is now …".
STATUS_WORDS = {
    "needs_response": "waiting for your evidence",
    "under_review": "under review by the bank",
    "won": "won",
    "lost": "lost",
    "warning_needs_response": "an inquiry waiting for your answer",
    "warning_under_review": "an inquiry under review",
    "warning_closed": "an inquiry closed without becoming a dispute",
    "charge_refunded": "closed because the charge was refunded",
    "prevented": "prevented",
}


@dataclass(frozen=True)
class DisputeFacts:
    """A dispute as the messages tell it. `charge_ref` is connectbot's charge id when the
    charge is connectbot's, else None; `vendor_label` a mention or an account id."""

    dispute_id: str
    amount: Money
    reason: str
    status: str
    due_by: int | None
    vendor_label: str
    account: str | None
    livemode: bool
    stripe_charge_id: str | None
    charge_ref: str | None


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " "))


def charge_words(facts: DisputeFacts) -> str:
    """The disputed charge: connectbot's id and Stripe's, linked to its Dashboard page."""
    linked = (
        dashboard_link(facts.stripe_charge_id, livemode=facts.livemode, account=facts.account)
        if facts.stripe_charge_id
        else ""
    )
    if facts.charge_ref and linked:
        return f"`{facts.charge_ref}` ({linked})"
    return f"`{facts.charge_ref}`" if facts.charge_ref else linked or "an unknown charge"


def _day(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") if timestamp else "unknown"


def _dispute_message(facts: DisputeFacts, icon: str, head: str, detail: str) -> dict[str, Any]:
    link = dashboard_link(facts.dispute_id, livemode=facts.livemode, account=facts.account)
    return message(
        f"{head} {detail}".strip(),
        [
            SectionBlock(text=MarkdownTextObject(text=f"{icon} *{head}*")),
            *([SectionBlock(text=MarkdownTextObject(text=detail))] if detail else []),
            ContextBlock(
                elements=[MarkdownTextObject(text=f"Dispute {link} · charge {charge_words(facts)}")]
            ),
        ],
    )


def dispute_updated_message(facts: DisputeFacts) -> dict[str, Any]:
    """The dispute changed (usually: evidence was submitted); its status now."""
    head = (
        f"The dispute of {format_money(facts.amount)} on {facts.vendor_label}'s charge is now "
        f"{status_words(facts.status)}."
    )
    detail = ""
    if facts.status in ("needs_response", "warning_needs_response"):
        detail = f"Evidence is due by {_day(facts.due_by)}: respond in the Stripe Dashboard."
    return _dispute_message(facts, ":hourglass_flowing_sand:", head, detail)


def dispute_closed_message(facts: DisputeFacts) -> dict[str, Any]:
    """The outcome: won, lost, an inquiry closed, or refunded."""
    money = format_money(facts.amount)
    who = f"{facts.vendor_label}'s charge"
    if facts.status == "won":
        icon, head = ":tada:", f"The dispute of {money} on {who} was won."
        detail = f"The {money} comes back to the Stripe balance; the dispute fee does not."
    elif facts.status == "lost":
        icon, head = ":x:", f"The dispute of {money} on {who} was lost."
        detail = f"The {money} and the dispute fee stay withdrawn from the Stripe balance."
    elif facts.status == "warning_closed":
        icon = ":white_check_mark:"
        head = f"The inquiry about {money} on {who} closed without becoming a dispute."
        detail = "No money was withdrawn."
    else:
        icon, head = (
            ":information_source:",
            (f"The dispute of {money} on {who} is closed: {status_words(facts.status)}."),
        )
        detail = ""
    return _dispute_message(facts, icon, head, detail)


def funds_withdrawn_message(facts: DisputeFacts, *, withdrawn: Money, fee: Money) -> dict[str, Any]:
    """Stripe took the disputed amount (and its fee) from the vendor's balance."""
    fee_words = f" and a {format_money(fee)} dispute fee" if fee.amount else ""
    head = (
        f"{format_money(withdrawn)}{fee_words} were withdrawn from {facts.vendor_label}'s "
        f"Stripe balance for a dispute."
    )
    detail = f"Evidence is due by {_day(facts.due_by)}; a won dispute returns the amount."
    return _dispute_message(facts, ":money_with_wings:", head, detail)


def funds_reinstated_message(facts: DisputeFacts, *, reinstated: Money) -> dict[str, Any]:
    """Stripe gave the disputed amount back to the vendor's balance."""
    head = (
        f"{format_money(reinstated)} went back to {facts.vendor_label}'s Stripe balance: "
        "the dispute ended in their favour."
    )
    return _dispute_message(facts, ":moneybag:", head, "")


def dispute_opened_message(facts: DisputeFacts) -> dict[str, Any]:
    """A new dispute (or inquiry): amount, reason, the date evidence is due, the charge."""
    money = format_money(facts.amount)
    reason = facts.reason.replace("_", " ")
    due = _day(facts.due_by)
    kind = "Inquiry" if facts.status.startswith("warning_") else "Dispute"
    text = (
        f"{kind} of {money} on {facts.vendor_label}'s charge {charge_words(facts)}: {reason}. "
        f"Evidence due by {due}."
    )
    link = dashboard_link(facts.dispute_id, livemode=facts.livemode, account=facts.account)
    return message(
        text,
        [
            SectionBlock(
                text=MarkdownTextObject(text=f":rotating_light: *{kind}* on {facts.vendor_label}")
            ),
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=f"*Amount*\n{money}"),
                    MarkdownTextObject(text=f"*Reason*\n{reason}"),
                    MarkdownTextObject(text=f"*Evidence due by*\n{due}"),
                    MarkdownTextObject(text=f"*Charge*\n{charge_words(facts)}"),
                ]
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Dispute {link}: respond in the Stripe Dashboard before the due date."
                    )
                ]
            ),
        ],
    )
