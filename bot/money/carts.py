"""A split cart's money: each vendor's part, its platform fee and net, and the totals.

Pure. Each part's fee is the vendor's own policy applied to that part alone (exactly what a
`/charge` of that part would take), so a cart never costs a vendor more than charging their
part on its own; the totals are plain sums, so they always add up to the parts shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.money.fees import FeePolicy, application_fee, vendor_net
from bot.money.values import Money
from bot.refusal import Refusal


@dataclass(frozen=True, slots=True)
class CartLine:
    """One vendor's part: `who` names them for people (`<@U123>`)."""

    who: str
    money: Money
    fee: int

    @property
    def net(self) -> int:
        return vendor_net(self.money.amount, self.fee)


@dataclass(frozen=True, slots=True)
class CartTotals:
    gross: Money
    fees: int
    net: int


def cart_lines(parts: Sequence[tuple[str, Money, FeePolicy]]) -> tuple[CartLine, ...] | Refusal:
    """Each part with its fee, or the first part whose fee is refused (a fee not below the
    part, a fixed fee in another currency), naming its vendor. Refuses an empty cart and
    parts in more than one currency."""
    if not parts:
        return Refusal("A cart needs at least one part.")
    currencies = {money.currency for _, money, _ in parts}
    if len(currencies) > 1:
        codes = " and ".join(sorted(c.upper() for c in currencies))
        return Refusal(f"A cart is charged in one currency, not {codes}.")
    lines: list[CartLine] = []
    for who, money, policy in parts:
        fee = application_fee(money, policy)
        if isinstance(fee, Refusal):
            return Refusal(f"{who}'s part: {fee.message}")
        lines.append(CartLine(who, money, fee))
    return tuple(lines)


def cart_totals(lines: Sequence[CartLine]) -> CartTotals:
    """The sums of the parts' amounts, fees and nets (in the parts' one currency)."""
    currency = lines[0].money.currency
    gross = sum(line.money.amount for line in lines)
    fees = sum(line.fee for line in lines)
    return CartTotals(Money(gross, currency), fees, gross - fees)
