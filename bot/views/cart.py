"""Split carts' messages (pure: data in, Block Kit out): the channel's one cart confirmation, the
requester's report with "Retry failed parts", and the approval request. The modal is
`bot.views.cart_modal`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.money import Money, format_money
from bot.money.carts import CartLine, CartTotals, cart_totals
from bot.views.dashboard import dashboard_link
from bot.views.message import message

RETRY_FAILED = "cart_retry_failed"
CART_APPROVE, CART_REJECT = "cart_approve", "cart_reject"


def _money(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency))


def line_text(line: CartLine) -> str:
    """`<@U1>: $60.00 · platform fee $6.00 · vendor receives $54.00`."""
    currency = line.money.currency
    return (
        f"{line.who}: {format_money(line.money)} · platform fee {_money(line.fee, currency)} · "
        f"vendor receives {_money(line.net, currency)}"
    )


def totals_text(totals: CartTotals) -> str:
    currency = totals.gross.currency
    return (
        f"*Total {format_money(totals.gross)}* · platform fees {_money(totals.fees, currency)} · "
        f"vendors receive {_money(totals.net, currency)} before Stripe fees"
    )


@dataclass(frozen=True)
class PartFacts:
    """One vendor's part as the cart's messages describe it: its current row's state."""

    charge_id: str
    vendor_user_id: str
    money: Money
    fee: int
    status: str  # pending | succeeded | failed | requires_action | awaiting_approval | rejected
    reason: str | None = None
    payment_intent_id: str | None = None
    account: str | None = None  # the vendor's Stripe account, where the PaymentIntent lives
    livemode: bool = False

    @property
    def line(self) -> CartLine:
        return CartLine(f"<@{self.vendor_user_id}>", self.money, self.fee)


@dataclass(frozen=True)
class CartFacts:
    cart_id: str
    customer: str  # `jane@example.com (Visa •••• 4242)`
    requested_by: str
    description: str | None
    parts: tuple[PartFacts, ...]


_SHOWN = {
    "succeeded": ":white_check_mark: charged",
    "failed": ":no_entry: failed",
    "requires_action": ":lock: needs the customer to authenticate",
    "pending": ":hourglass: waiting for Stripe",
}


def _part_line(part: PartFacts) -> str:
    shown = _SHOWN.get(part.status, part.status)
    text = f"{shown}: {line_text(part.line)}"
    if part.status != "succeeded" and part.reason:
        text += f" ({part.reason})"
    ref = f"`{part.charge_id}`"
    if part.payment_intent_id:
        linked = dashboard_link(
            part.payment_intent_id, livemode=part.livemode, account=part.account
        )
        ref = f"{linked} · {ref}"
    return f"• {text} · {ref}"


def _charged(facts: CartFacts) -> list[CartLine]:
    return [p.line for p in facts.parts if p.status == "succeeded"]


def cart_summary_message(facts: CartFacts) -> dict[str, Any]:
    """The channel's one cart confirmation: every part's outcome, and the totals charged."""
    charged = _charged(facts)
    all_charged = len(charged) == len(facts.parts)
    if charged:
        totals = cart_totals(charged)
        head = (
            f"Cart `{facts.cart_id}`: charged {format_money(totals.gross)} to {facts.customer} "
            f"across {len(charged)} of {len(facts.parts)} vendors"
        )
    else:
        head = f"Cart `{facts.cart_id}` for {facts.customer}: nothing was charged"
    text = head + ("." if all_charged else "; see the parts below.")
    lines = "\n".join(_part_line(p) for p in facts.parts)
    body = f"{lines}\n{totals_text(cart_totals(charged))}" if charged else lines
    context = f"requested by <@{facts.requested_by}>"
    if facts.description:
        context += f" · {facts.description}"
    icon = ":white_check_mark:" if all_charged else ":warning:"
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f"{icon} {text}")),
            SectionBlock(text=MarkdownTextObject(text=body[:3000])),
            ContextBlock(elements=[MarkdownTextObject(text=context[:3000])]),
        ],
    )


def cart_report_message(facts: CartFacts) -> dict[str, Any]:
    """Private to the requester when a part did not go through: which part succeeded and
    which did not, and why; "Retry failed parts" when a part failed (a retry charges only
    those, under new keys; the parts charged stand)."""
    failed = [p for p in facts.parts if p.status == "failed"]
    charged = _charged(facts)
    text = (
        f"Cart `{facts.cart_id}`: {len(charged)} of {len(facts.parts)} parts charged; "
        "the charged parts stand."
    )
    lines = "\n".join(_part_line(p) for p in facts.parts)
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=f":warning: {text}")),
        SectionBlock(text=MarkdownTextObject(text=lines[:3000])),
    ]
    if failed:
        blocks.append(
            ActionsBlock(
                block_id=f"cart:{facts.cart_id}"[:255],
                elements=[
                    ButtonElement(
                        text="Retry failed parts",
                        action_id=RETRY_FAILED,
                        value=facts.cart_id,
                        style="primary",
                    )
                ],
            )
        )
    return message(text, blocks)


def cart_approval_request(facts: CartFacts, *, threshold: Money) -> dict[str, Any]:
    """The ops-channel request for a cart whose total is above the threshold: one for the whole
    cart; the buttons carry the cart id."""
    totals = cart_totals([p.line for p in facts.parts])
    text = (
        f"Approval needed: cart `{facts.cart_id}`, {format_money(totals.gross)} to "
        f"{facts.customer} across {len(facts.parts)} vendors, requested by "
        f"<@{facts.requested_by}>."
    )
    lines = "\n".join(f"• {line_text(p.line)}" for p in facts.parts)
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f":raised_hand: {text}")),
            SectionBlock(text=MarkdownTextObject(text=f"{lines}\n{totals_text(totals)}"[:3000])),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"The cart's total is above {format_money(threshold)}: a second "
                        "operator must approve. Approving charges every part."
                    )
                ]
            ),
            ActionsBlock(
                block_id="cart_approval",
                elements=[
                    ButtonElement(
                        text="Approve",
                        action_id=CART_APPROVE,
                        value=facts.cart_id,
                        style="primary",
                    ),
                    ButtonElement(
                        text="Reject", action_id=CART_REJECT, value=facts.cart_id, style="danger"
                    ),
                ],
            ),
        ],
    )


def cart_decided(facts: CartFacts, *, approved: bool, by: str) -> dict[str, Any]:
    """The approval request once decided: the buttons gone, the decider named."""
    verdict = "Approved" if approved else "Rejected"
    total = cart_totals([p.line for p in facts.parts]).gross
    text = (
        f"{verdict} by <@{by}>: cart `{facts.cart_id}`, {format_money(total)} to "
        f"{facts.customer}, requested by <@{facts.requested_by}>."
    )
    icon = ":white_check_mark:" if approved else ":x:"
    return message(text, [SectionBlock(text=MarkdownTextObject(text=f"{icon} {text}"))])


def cart_note(text: str) -> dict[str, Any]:
    """A one-line private note about a cart (awaiting approval, rejected, retrying)."""
    return message(text)
