"""The shape of a split cart's refund: `/refund <cb_cart_…> all|@vendor…`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.parsing.tokens import parse_user_mention
from bot.refusal import Refusal

CART_REF_RE: Final = re.compile(r"cb_cart_[A-Za-z0-9]{12,}")


@dataclass(frozen=True, slots=True)
class CartRefundArgs:
    """`/refund <cb_cart_…> all|@vendor…`: `vendor_user_ids` None means every charged part."""

    cart_ref: str
    vendor_user_ids: tuple[str, ...] | None


def parse_cart_refund(tokens: list[str]) -> CartRefundArgs | Refusal:
    """`cb_cart_… all` or `cb_cart_… @vera @victor`: which parts of a split cart to refund
    (each in full; a part's own `cb_ch_…` takes an amount). Refuses a missing choice, a
    token that is neither `all` nor a person, and the same vendor twice."""
    ref, choice = tokens[0], tokens[1:]
    if not choice:
        return Refusal(
            f"Say which parts of `{ref}` to refund: `all`, or the vendors (`@vera @victor`)."
        )
    if len(choice) == 1 and choice[0].lower() == "all":
        return CartRefundArgs(ref, None)
    vendors: list[str] = []
    for token in choice:
        vendor = parse_user_mention(token)
        if isinstance(vendor, Refusal):
            return Refusal(f"Name the parts by vendor, or say `all`. {vendor.message}")
        if vendor in vendors:
            return Refusal(f"<@{vendor}> is named twice.")
        vendors.append(vendor)
    return CartRefundArgs(ref, tuple(vendors))
