"""`Money` (minor units + currency) and formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.money.currencies import SYMBOLS, currency_exponent

__all__ = ["Money", "format_money", "plain_amount", "quote"]

_CODE_RE: Final = re.compile(r"[a-z]{3}")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of `currency` (a lowercase ISO 4217 code).

    Construction refuses (ValueError) a non-int amount or a currency that is not three
    lowercase letters: those are programming errors, not user input.
    """

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise ValueError(f"Money.amount must be an int, got {self.amount!r}")
        if not isinstance(self.currency, str) or not _CODE_RE.fullmatch(self.currency):
            raise ValueError(f"Money.currency must be a lowercase ISO code, got {self.currency!r}")


def format_money(money: Money) -> str:
    """Format for people: `$100.00`, `€1,234.50`, `¥1,000`, `1,234.50 CHF`, `-$5.00`.

    Thousands are grouped with commas, decimals follow the currency's exponent; never raw
    minor units. Works for any code (unknown ones are shown with two decimals).
    """
    exponent = currency_exponent(money.currency)
    sign = "-" if money.amount < 0 else ""
    units, minor = divmod(abs(money.amount), 10**exponent)
    number = f"{units:,}"
    if exponent:
        number += f".{minor:0{exponent}d}"
    symbol = SYMBOLS.get(money.currency)
    if symbol is not None:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {money.currency.upper()}"


def plain_amount(money: Money) -> str:
    """The amount as a plain decimal in the currency's major unit, for files machines read
    (CSV): `100.00`, `-5.25`, JPY `100`; no symbol, no grouping, never a float on the way."""
    exponent = currency_exponent(money.currency)
    sign = "-" if money.amount < 0 else ""
    units, minor = divmod(abs(money.amount), 10**exponent)
    return f"{sign}{units}.{minor:0{exponent}d}" if exponent else f"{sign}{units}"


def quote(text: str) -> str:
    """Quote user text for a message without letting it break Slack formatting."""
    shown = text.strip().replace("`", "'")
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"`{shown}`"
