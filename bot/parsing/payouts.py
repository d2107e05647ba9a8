"""The shape of `/payouts [@vendor]`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.parsing.tokens import optional_mention
from bot.refusal import Refusal


@dataclass(frozen=True, slots=True)
class PayoutsArgs:
    """`/payouts [@vendor]`: None when no vendor is named."""

    vendor_user_id: str | None


def parse_payouts_command(text: str) -> PayoutsArgs | Refusal:
    """Parse `/payouts` (empty) or `/payouts @vendor`; refuses two vendors and anything that
    is not a mention of a person."""
    vendor = optional_mention(text, more_than_one="Mention one vendor, or nobody for your own.")
    if isinstance(vendor, Refusal):
        return vendor
    return PayoutsArgs(vendor)
