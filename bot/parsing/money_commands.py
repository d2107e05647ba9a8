"""The shapes of `/charge` and `/refund`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.money import (
    STRIPE_CURRENCIES,
    SUPPORTED_CURRENCIES,
    Money,
    parse_money,
)
from bot.parsing.cart_refunds import CART_REF_RE, CartRefundArgs, parse_cart_refund
from bot.parsing.tokens import (
    MAX_DESCRIPTION,
    looks_like_email,
    parse_email,
    parse_user_mention,
    quote,
    split_args,
    unescape_slack,
)
from bot.refusal import Refusal

#: Lowercase words that are Stripe currency codes but usually mean the English word in a
#: description (`/charge @v 100 all day pass`). Written in capitals they are still codes.
_WORDS_NOT_CODES: Final = frozenset(
    {"all", "top", "try", "pen", "bob", "mop", "sos", "mad", "gel", "cop", "bam", "cup", "lak"}
)


_ONLY_A_CURRENCY: Final = (
    "Only a currency can stand between the amount and the email; a description goes after "
    "the email."
)


def _is_currency_token(token: str) -> bool:
    """True if a token is a currency (a code or a bare symbol) rather than description."""
    if token in ("$", "€", "£", "¥"):
        return True
    if not (len(token) == 3 and token.isascii() and token.isalpha()):
        return False
    code = token.lower()
    if code in SUPPORTED_CURRENCIES:
        return True
    return code in STRIPE_CURRENCIES and not (token.islower() and code in _WORDS_NOT_CODES)


def take_amount(tokens: list[str]) -> tuple[str, list[str]]:
    """Split the amount's text (one or two tokens) from the tokens that follow it.

    `EUR 100`, `$ 100`, `100 eur` and `100.00 EUR` take two tokens; `€100`, `100eur`, `100`
    take one.
    """
    if len(tokens) >= 2 and _is_currency_token(tokens[0]):
        return f"{tokens[0]} {tokens[1]}", tokens[2:]
    if len(tokens) >= 2 and _is_currency_token(tokens[1]):
        return f"{tokens[0]} {tokens[1]}", tokens[2:]
    return tokens[0], tokens[1:]


def description_of(tokens: list[str]) -> str | Refusal | None:
    """Join the rest of the text into a description (Slack escapes undone), or None.

    Refuses descriptions over 500 characters.
    """
    description = unescape_slack(" ".join(tokens)).strip()
    if not description:
        return None
    if len(description) > MAX_DESCRIPTION:
        return Refusal(f"The description is longer than {MAX_DESCRIPTION} characters.")
    return description


def email_and_description(tokens: list[str]) -> tuple[str | None, str | None] | Refusal:
    """What follows a charge's amounts: the customer's email if the first token looks like one
    (normalized by `parse_email`), then the description (`description_of`); or the refusal of
    either."""
    email: str | None = None
    if tokens and looks_like_email(tokens[0]):
        parsed = parse_email(tokens[0])
        if isinstance(parsed, Refusal):
            return parsed
        email, tokens = parsed, tokens[1:]
    description = description_of(tokens)
    if isinstance(description, Refusal):
        return description
    return email, description


@dataclass(frozen=True, slots=True)
class ChargeArgs:
    """`/charge @vendor amount [currency] [email] [description…]`."""

    vendor_user_id: str
    money: Money
    customer_email: str | None
    description: str | None


def parse_charge_command(
    text: str, *, default_currency: str, max_amount: int
) -> ChargeArgs | Refusal:
    """Parse `/charge @vendor 100.00 [currency] [email] [description…]`.

    The amount may be `100.00`, `100.00 eur`, `EUR 100`, `€100` or `100eur`; `max_amount` is
    in minor units (see `parse_money`). An email is recognised right after the amount (any
    token with an `@`, or a mailto link); the rest is the description (quotes optional).
    Refuses a missing or non-mention vendor, a missing amount, anything `parse_money`
    refuses, an invalid email, and a description over 500 characters. A word between the
    amount and the email can only be a currency, so one connectbot doesn't charge in (or a
    word that is no currency at all) is refused as such, not read as a description.
    """
    tokens = split_args(text)
    if not tokens:
        return Refusal("Say who to charge and how much, for example `@vendor 100.00`.")
    vendor = parse_user_mention(tokens[0])
    if isinstance(vendor, Refusal):
        return Refusal(f"Start with the vendor. {vendor.message}")
    if len(tokens) < 2:
        return Refusal("Add the amount to charge after the vendor, for example `100.00`.")
    amount_text, rest = take_amount(tokens[1:])
    between = len(rest) >= 2 and looks_like_email(rest[1]) and not looks_like_email(rest[0])
    if between and not any(char.isspace() for char in rest[0]):
        # Only a currency can stand between the amount and the email: a word there that is
        # not one is a currency mistyped or unsupported, never the start of a description.
        amount_text, rest = f"{amount_text} {rest[0]}", rest[1:]
    money = parse_money(amount_text, default_currency=default_currency, max_amount=max_amount)
    if isinstance(money, Refusal):
        if between:
            return Refusal(f"{money.message} {_ONLY_A_CURRENCY}")
        return money
    tail = email_and_description(rest)
    if isinstance(tail, Refusal):
        return tail
    email, description = tail
    return ChargeArgs(vendor, money, email, description)


_CHARGE_REF_RE: Final = re.compile(r"pi_[A-Za-z0-9]{8,}|cb_ch_[A-Za-z0-9]{12,}")


@dataclass(frozen=True, slots=True)
class RefundArgs:
    """`/refund <charge ref> [amount]`: `amount` None means refund everything that remains.

    `amount_text` is what was typed, so the handler can re-read it in the charge's own
    currency with `bot.money.resolve_refund_amount` once the charge is known.
    """

    charge_ref: str
    amount: Money | None
    amount_text: str | None


def parse_refund_command(
    text: str, *, default_currency: str, max_amount: int
) -> RefundArgs | CartRefundArgs | Refusal:
    """Parse `/refund <charge ref> [amount]`, or a split cart's `/refund <cb_cart_…> all|@vendor…`
    (`parse_cart_refund`).

    The ref is a PaymentIntent id (`pi_` + 8 or more letters/digits) or a connectbot charge
    id (`cb_ch_` + 12 or more letters/digits). The amount is read like `parse_money` but
    without Stripe's minimum charge (small partial refunds are fine), in `default_currency`
    unless it names one. Refuses a missing or malformed ref and a refused amount.
    """
    tokens = split_args(text)
    if not tokens:
        return Refusal("Say which charge to refund, for example `pi_3Nx…` or `cb_ch_…`.")
    ref = tokens[0]
    if CART_REF_RE.fullmatch(ref):
        return parse_cart_refund(tokens)
    if not _CHARGE_REF_RE.fullmatch(ref):
        return Refusal(
            f"{quote(ref)} isn't a charge reference; use the `pi_…`, `cb_ch_…` or `cb_cart_…` "
            "id from the charge message."
        )
    if len(tokens) == 1:
        return RefundArgs(ref, None, None)
    amount_text = " ".join(tokens[1:])
    money = parse_money(
        amount_text,
        default_currency=default_currency,
        max_amount=max_amount,
        enforce_minimum=False,
    )
    if isinstance(money, Refusal):
        return money
    return RefundArgs(ref, money, amount_text)
