"""The shapes a typed number may take, and what to say about the ones it may not (pure)."""

from __future__ import annotations

import re
from typing import Final

from bot.money.currencies import currency_exponent
from bot.money.values import quote
from bot.refusal import Refusal

PLAIN_NUMBER_RE: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_GROUPED_NUMBER_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
#: `100,00`, `1,5`, `1.000,50`: a decimal comma (one or two decimals, as prices are written).
_DECIMAL_COMMA_RE: Final = re.compile(
    r"(?P<whole>[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),(?P<decimals>[0-9]{1,2})"
)
#: `1.000.000`: dots between thousands (one dot alone is a decimal point).
_DOTTED_THOUSANDS_RE: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3}){2,}")


def number_form(number: str, currency: str) -> Refusal | None:
    """Check the shape of a number: `1000`, `1000.50`, `1,000.50`.

    Refuses misplaced thousands separators (`1,00`, `10,00,000`), several decimal points,
    and a decimal point without digits on both sides (`.50`, `100.`). A number written with a
    decimal comma (`100,00`, `1.000,50`) or dots between thousands (`1.000.000`) is told how
    connectbot reads commas and dots, and shown the same amount written that way (`100.00`),
    never a suggestion a hundred times bigger.
    """
    if PLAIN_NUMBER_RE.fullmatch(number) or _GROUPED_NUMBER_RE.fullmatch(number):
        return None
    written_our_way = _as_we_write_it(number, currency)
    if written_our_way is not None:
        return Refusal(
            "In connectbot a comma separates thousands (`1,000.50`) and a dot marks the "
            f"decimals: write {quote(number)} as `{written_our_way}`."
        )
    if number.count(".") > 1:
        return Refusal(f"{quote(number)} has more than one decimal point.")
    if "," in number:
        return Refusal(
            f"{quote(number)} has a misplaced thousands separator: a comma separates thousands "
            "(`1,000.50`), or leave it out (`1000.50`)."
        )
    if number.startswith("."):
        return Refusal(f"{quote(number)} needs a digit before the decimal point: `0{number}`.")
    return Refusal(f"{quote(number)} needs digits after the decimal point.")


def _as_we_write_it(number: str, currency: str) -> str | None:
    """The amount a European-style number means, written `1000.50`; None if it isn't one.

    `100,00` and `1.000,50` (a decimal comma, dots or nothing between thousands) and
    `1.000.000` (dots between thousands, no decimals). In a zero-decimal currency a decimal
    comma followed by zeros is the whole number (`100,00 jpy` → `100`).
    """
    match = _DECIMAL_COMMA_RE.fullmatch(number)
    if match:
        whole, decimals = match.group("whole").replace(".", ""), match.group("decimals")
        if currency_exponent(currency) == 0 and not decimals.strip("0"):
            return whole
        return f"{whole}.{decimals}"
    if _DOTTED_THOUSANDS_RE.fullmatch(number):
        return number.replace(".", "")
    return None
