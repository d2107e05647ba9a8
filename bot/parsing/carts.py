"""The shape of a split cart: `/charge @vera 60.00 @victor 40.00 [currency] [email] [description]`.

Two or more `@vendor amount` pairs make a cart; one pair is an ordinary `/charge`
(`parse_charge_command`, unchanged). Pure: the vendors' fee policies are checked later, where
they are known (`bot.money.carts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.money import Money, parse_money
from bot.money.amounts import read_any_amount
from bot.parsing.money_commands import (
    ChargeArgs,
    email_and_description,
    parse_charge_command,
    take_amount,
)
from bot.parsing.tokens import (
    looks_like_email,
    parse_user_mention,
    quote,
    split_args,
)
from bot.refusal import Refusal

#: Vendors in one cart at most: one modal shows them all, each with its part, fee and net.
MAX_CART_VENDORS: Final = 10


@dataclass(frozen=True, slots=True)
class CartPart:
    """One vendor's part of a cart."""

    vendor_user_id: str
    money: Money


@dataclass(frozen=True, slots=True)
class CartArgs:
    """`/charge @v1 amount @v2 amount … [currency] [email] [description…]`: one currency."""

    parts: tuple[CartPart, ...]
    customer_email: str | None
    description: str | None

    @property
    def total(self) -> Money:
        return Money(sum(p.money.amount for p in self.parts), self.parts[0].money.currency)


def parse_charge_or_cart(
    text: str, *, default_currency: str, max_amount: int
) -> ChargeArgs | CartArgs | Refusal:
    """A charge (one `@vendor amount`) as `parse_charge_command` reads it, or a cart (two or more).

    In a cart every amount is read like a charge's (`max_amount` and Stripe's minimum apply
    to each part). A currency named on any part (or after the last amount) applies to the
    parts that name none; with none named, `default_currency`. Refuses: the same vendor twice,
    two different currencies, more than 10 vendors, a pair without its amount, and whatever
    `/charge` refuses of an amount, the email or the description.
    """
    tokens = split_args(text)
    texts: list[tuple[str, str]] = []  # (vendor, amount text) in order
    rest = tokens
    while rest and not isinstance(parse_user_mention(rest[0]), Refusal):
        vendor = str(parse_user_mention(rest[0]))
        if len(rest) < 2 or not isinstance(parse_user_mention(rest[1]), Refusal):
            if texts:
                return Refusal(f"Add the amount for <@{vendor}> after the mention.")
            break  # one pair at most: /charge says what is missing
        amount_text, rest = take_amount(rest[1:])
        texts.append((vendor, amount_text))
    if len(texts) < 2:
        return parse_charge_command(text, default_currency=default_currency, max_amount=max_amount)
    return _cart(texts, rest, default_currency=default_currency, max_amount=max_amount)


def _cart(
    texts: list[tuple[str, str]], rest: list[str], *, default_currency: str, max_amount: int
) -> CartArgs | Refusal:
    vendors = [vendor for vendor, _ in texts]
    twice = next((v for v in vendors if vendors.count(v) > 1), None)
    if twice is not None:
        return Refusal(f"<@{twice}> is in the cart twice; give each vendor one amount.")
    if len(texts) > MAX_CART_VENDORS:
        return Refusal(f"A cart holds at most {MAX_CART_VENDORS} vendors.")
    if len(rest) >= 2 and looks_like_email(rest[1]) and not looks_like_email(rest[0]):
        return Refusal(
            f"{quote(rest[0])} isn't a currency connectbot charges in; a description goes "
            "after the email."
        )
    named = {c for _, amount in texts if (c := named_currency(amount)) is not None}
    if len(named) > 1:
        codes = " and ".join(sorted(c.upper() for c in named))
        return Refusal(f"A cart is charged in one currency, not {codes}.")
    currency = named.pop() if named else default_currency
    parts: list[CartPart] = []
    for vendor, amount in texts:
        money = parse_money(amount, default_currency=currency, max_amount=max_amount)
        if isinstance(money, Refusal):
            return Refusal(f"<@{vendor}>'s part: {money.message}")
        parts.append(CartPart(vendor, money))
    tail = email_and_description(rest)
    if isinstance(tail, Refusal):
        return tail
    email, description = tail
    return CartArgs(tuple(parts), email, description)


def named_currency(amount_text: str) -> str | None:
    """The currency an amount's text names itself (`60 eur`, `€60`), None when it names none.

    Read twice with two different defaults: only a named currency survives both.
    """
    first = read_any_amount(amount_text, "usd")
    second = read_any_amount(amount_text, "eur")
    if isinstance(first, Money) and isinstance(second, Money) and first == second:
        return first.currency
    return None
