"""Refund amounts and the share of the platform fee each refund returns."""

from __future__ import annotations

from decimal import Decimal, localcontext

from bot.money.amounts import parse_money
from bot.money.fees import round_half_up
from bot.money.values import Money, format_money
from bot.refusal import Refusal


def fee_refund_for(
    *, fee: int, charged: int, already_refunded: int, refund_amount: int, fee_already_refunded: int
) -> int:
    """Application fee to refund with one refund of `refund_amount`.

    The fee due once `already_refunded + refund_amount` of `charged` is refunded
    (round-half-up(fee × refunded / charged), so a full refund returns the whole fee and it
    never decreases as refunds grow) minus what was already refunded of the fee, never below
    zero, never more than what remains of the fee, and never more than this refund's own share
    rounded up (ceil(fee × refund_amount / charged)). Refunds that all return the fee add up to
    exactly the fee once the charge is fully refunded; a refund after one that returned no fee
    (the vendor's Dashboard refunds none) returns only its own share. The fake Stripe's
    `proportional_fee` is the same rule. Raises ValueError (a programming error) for
    charged <= 0, a refund beyond what remains of the charge, or any figure negative or beyond
    the fee.
    """
    if charged <= 0 or fee < 0:
        raise ValueError(f"bad refund figures: fee={fee} charged={charged}")
    if refund_amount < 0 or already_refunded < 0 or not 0 <= fee_already_refunded <= fee:
        raise ValueError("refund figures must be non-negative and within the fee")
    if already_refunded + refund_amount > charged:
        raise ValueError(
            f"refund {refund_amount} exceeds the {charged - already_refunded} that remains"
        )
    with localcontext() as context:
        context.prec = max(28, len(str(fee)) + len(str(charged)) + 10)
        refunded = Decimal(already_refunded + refund_amount)
        due = min(round_half_up(Decimal(fee) * refunded / Decimal(charged)), fee)
    own_share = -(-fee * refund_amount // charged)  # ceil, in integers
    return max(0, min(due - fee_already_refunded, fee - fee_already_refunded, own_share))


def resolve_refund_amount(
    text: str | None, *, charged: Money, already_refunded: int
) -> int | Refusal:
    """Minor units to refund for `/refund <ref> [amount]`, checked against the charge.

    No text (or blank) means everything that remains. The amount is read in the charge's
    currency unless it names another, which is refused. Stripe's minimum charge does not
    apply to refunds. Refuses a charge already fully refunded, an amount above what remains,
    and anything `parse_money` refuses.
    """
    remaining = charged.amount - already_refunded
    if remaining <= 0:
        return Refusal(f"This charge of {format_money(charged)} has already been fully refunded.")
    if text is None or not text.strip():
        return remaining
    parsed = parse_money(
        text,
        default_currency=charged.currency,
        # No separate limit: anything above what remains gets the message below, which says
        # what does remain.
        max_amount=10**15,
        enforce_minimum=False,
    )
    if isinstance(parsed, Refusal):
        return parsed
    if parsed.currency != charged.currency:
        return Refusal(
            f"The charge is in {charged.currency.upper()}, not {parsed.currency.upper()}."
        )
    if parsed.amount > remaining:
        return Refusal(
            f"{format_money(parsed)} is more than what remains to refund "
            f"({format_money(Money(remaining, charged.currency))})."
        )
    return parsed.amount
