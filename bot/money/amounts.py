"""Parsing what a person typed into `Money`, or a `Refusal` saying what was wrong."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import Final

from bot.money.currencies import (
    MAX_AMOUNT_TEXT,
    STRIPE_CURRENCIES,
    SUPPORTED_CURRENCIES,
    SYMBOL_CURRENCY,
    THREE_DECIMAL,
    currency_exponent,
    minimum_charge,
)
from bot.money.number_forms import number_form
from bot.money.values import Money, format_money, quote
from bot.refusal import Refusal

_PIECE_RE: Final = re.compile(
    r"(?P<space>\s+)|(?P<number>[0-9.,]*[0-9][0-9.,]*)|(?P<word>[A-Za-z]+)"
    r"|(?P<symbol>[$€£¥])|(?P<minus>[-−–—])|(?P<other>.)",
    re.DOTALL,
)
_EXPONENT_RE: Final = re.compile(r"[0-9.]\s*[eE]\s*[-+]?\s*[0-9]")
_WORD_RE: Final = re.compile(r"[A-Za-z]+")
#: The amounts people usually type, once stripped: `100`, `1,000.50`, `$100`, `€ 1,000`,
#: `100 eur`, `EUR 100`, `100eur` (ASCII digits, spaces only between the pieces). Its number is
#: exactly `number_form`'s two accepted shapes.
_PLAIN_AMOUNT_RE: Final = re.compile(
    r"(?:(?P<symbol>[$€£¥]) *)?(?:(?P<before>[A-Za-z]{3}) *)?"
    r"(?P<whole>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<decimals>[0-9]+))?"
    r"(?: *(?P<after>[A-Za-z]{3}))?"
)
_NOT_A_NUMBER_WORDS: Final = frozenset({"nan", "snan", "inf", "infinity"})


@dataclass(frozen=True, slots=True)
class _Lexed:
    """An amount split into its number text and the currency it names (if any)."""

    number: str
    code: str | None
    symbol: str | None


def non_ascii_digit(text: str) -> str | None:
    """The first digit-like character that is not 0-9 (Arabic-Indic, full-width, ², ½ …)."""
    for char in text:
        if char.isnumeric() and not ("0" <= char <= "9"):
            return char
    return None


def _lex_amount(text: str) -> _Lexed | Refusal:
    """Split amount text into one number and at most one currency code and one symbol.

    Refuses: empty or overlong text, non-ASCII digits, exponent forms, NaN/Infinity, minus
    signs, characters that cannot be part of an amount, no number or several numbers, words
    that are not currency codes, and several codes or symbols.
    """
    stripped = text.strip()
    if not stripped:
        return Refusal("Enter an amount, for example `100.00`.")
    if len(stripped) > MAX_AMOUNT_TEXT:
        return Refusal(f"That amount is too long ({len(stripped)} characters); enter a number.")
    odd_digit = non_ascii_digit(stripped)
    if odd_digit is not None:
        name = unicodedata.name(odd_digit, "a non-ASCII digit").lower()
        return Refusal(
            f"{quote(stripped)} uses {name} (`{odd_digit}`); type amounts with the digits 0-9."
        )
    if _EXPONENT_RE.search(stripped):
        return Refusal(f"{quote(stripped)} uses exponent notation; write the amount in full.")

    if any(word.lower() in _NOT_A_NUMBER_WORDS for word in _WORD_RE.findall(stripped)):
        return Refusal(f"{quote(stripped)} is not a number; enter an amount like `100.00`.")

    numbers: list[str] = []
    words: list[str] = []
    symbols: list[str] = []
    for match in _PIECE_RE.finditer(stripped):
        kind, piece = match.lastgroup, match.group()
        if kind == "number":
            numbers.append(piece)
        elif kind == "word":
            words.append(piece)
        elif kind == "symbol":
            symbols.append(piece)
        elif kind == "minus":
            return Refusal(f"{quote(stripped)}: amounts must be positive, without a minus sign.")
        elif kind == "other":
            return Refusal(
                f"{quote(stripped)} contains {quote(piece)}, which is not part of an amount."
            )

    if not numbers:
        return Refusal(f"{quote(stripped)} is not an amount; enter a number like `100.00`.")
    if len(numbers) > 1:
        listed = ", ".join(quote(n) for n in numbers)
        return Refusal(f"{quote(stripped)} has several numbers ({listed}); enter one amount.")
    if len(symbols) > 1:
        return Refusal(f"{quote(stripped)} has several currency symbols; use one.")
    codes: list[str] = []
    for word in words:
        code_or_refusal = _currency_word(word)
        if isinstance(code_or_refusal, Refusal):
            return code_or_refusal
        codes.append(code_or_refusal)
    if len(codes) > 1:
        return Refusal(f"{quote(stripped)} names several currencies; use one.")
    return _Lexed(numbers[0], codes[0] if codes else None, symbols[0] if symbols else None)


def _currency_word(word: str) -> str | Refusal:
    """Check that a word is a currency code connectbot can charge in; return it lowercase.

    Refuses three-decimal currencies, Stripe currencies connectbot doesn't support, unknown
    three-letter codes, and words that are not three letters long.
    """
    code = word.lower()
    if code in SUPPORTED_CURRENCIES:
        return code
    if code in THREE_DECIMAL:
        return Refusal(
            f"{code.upper()} has three decimals, which connectbot doesn't support; "
            "charge in another currency."
        )
    if code in STRIPE_CURRENCIES:
        return Refusal(f"connectbot doesn't charge in {code.upper()}. {_supported_sentence()}")
    if len(code) == 3:
        return Refusal(f"{quote(word)} is not a currency connectbot knows. {_supported_sentence()}")
    return Refusal(
        f"{quote(word)} is not a currency code; use a three-letter code such as `USD` or `EUR`."
    )


def _supported_sentence() -> str:
    """`Supported currencies: AED, AUD, …`."""
    codes = ", ".join(code.upper() for code in sorted(SUPPORTED_CURRENCIES))
    return f"Supported currencies: {codes}."


def _resolve_currency(lexed: _Lexed, default_currency: str) -> str | Refusal:
    """The currency an amount is in: its code, else its symbol, else the default.

    Refuses a symbol that contradicts the code (`$100 eur`) and an unsupported default.
    """
    from_symbol = SYMBOL_CURRENCY[lexed.symbol] if lexed.symbol else None
    if lexed.code and from_symbol and lexed.code != from_symbol:
        return Refusal(
            f"`{lexed.symbol}` means {from_symbol.upper()} but the amount says "
            f"{lexed.code.upper()}; use one currency."
        )
    currency = lexed.code or from_symbol
    if currency is not None:
        return currency
    default = default_currency.lower()
    if default not in SUPPORTED_CURRENCIES:
        return Refusal(f"The default currency {quote(default_currency)} is not supported.")
    return default


def _to_minor(number: str, currency: str) -> int | Refusal:
    """Convert a well-formed number to minor units, exactly, with Decimal.

    Refuses more decimals than the currency has (`100.001 usd`, `100.5 jpy`). Decimals are
    counted as written, so `1.000 eur` (a thousand, in some locales) is refused too.
    """
    exponent = currency_exponent(currency)
    digits = number.replace(",", "")
    decimals = len(digits.partition(".")[2])
    if decimals > exponent:
        return Refusal(
            f"{quote(number)} has more decimals than {currency.upper()} allows ({exponent})."
        )
    value = Decimal(digits)
    context = Context(prec=len(digits) + exponent + 2, traps=[Inexact, InvalidOperation])
    return int(value.scaleb(exponent, context=context))


def _limits(money: Money, *, max_amount: int, enforce_minimum: bool) -> Refusal | None:
    """Refuse zero, amounts below Stripe's minimum (if enforced) and above `max_amount`."""
    if money.amount <= 0:
        return Refusal("The amount must be more than zero.")
    minimum = minimum_charge(money.currency)
    if enforce_minimum and minimum is not None and money.amount < minimum:
        floor = format_money(Money(minimum, money.currency))
        return Refusal(
            f"{format_money(money)} is below Stripe's minimum charge for "
            f"{money.currency.upper()} ({floor})."
        )
    if money.amount > max_amount:
        ceiling = format_money(Money(max_amount, money.currency))
        return Refusal(f"{format_money(money)} is above the limit of {ceiling}.")
    return None


def parse_money(
    text: str, *, default_currency: str, max_amount: int, enforce_minimum: bool = True
) -> Money | Refusal:
    """Parse an amount a person typed into `Money` in minor units.

    Accepts `100`, `100.00`, `1,000.50`, `$100`, `€100`, `£5`, `¥500`, `100 eur`, `EUR 100`,
    `100eur`, `usd 12.5`; codes are case-insensitive; with no code or symbol the amount is in
    `default_currency`. `max_amount` is in minor units of whichever currency the amount turns
    out to be in (so 1000000 is $10,000.00 but ¥1,000,000). `enforce_minimum=False` skips
    Stripe's minimum charge (for partial refunds).

    Refuses, with a message and without raising: empty text, zero, negative, non-numeric,
    exponent forms (`1e3`), NaN/Infinity, non-ASCII digits, misplaced thousands separators,
    more decimals than the currency has, amounts below Stripe's minimum or above
    `max_amount`, unknown or unsupported currencies, a symbol that contradicts the code
    (`$100 eur`), and several numbers.
    """
    money = _read_amount(text, default_currency)
    if isinstance(money, Refusal):
        return money
    limit = _limits(money, max_amount=max_amount, enforce_minimum=enforce_minimum)
    return limit if limit is not None else money


def parse_fixed_amount(text: str, *, default_currency: str) -> Money | Refusal:
    """Parse the fixed part of a fee: like `parse_money`, but zero is fine and no limits apply."""
    return _read_amount(text, default_currency)


def _read_amount(text: str, default_currency: str) -> Money | Refusal:
    """Text → Money in its currency's minor units, before any limit is applied: the plain
    amounts most people type by the fast path, everything else by the general one."""
    plain = read_plain_amount(text, default_currency)
    return plain if plain is not None else read_any_amount(text, default_currency)


def read_plain_amount(text: str, default_currency: str) -> Money | None:
    """The fast path: one regular expression and integer arithmetic for a plain amount (see
    `_PLAIN_AMOUNT_RE`) in a supported currency, with no more decimals than it has.

    Returns None, never a Refusal, for anything else (including every text the general path
    would refuse): the caller then reads it with `read_any_amount`, which says what is wrong.
    Wherever it returns Money, `read_any_amount` returns the same Money.
    """
    stripped = text.strip()
    if len(stripped) > MAX_AMOUNT_TEXT:
        return None
    match = _PLAIN_AMOUNT_RE.fullmatch(stripped)
    if match is None:
        return None
    symbol, before, whole, decimals, after = match.group(
        "symbol", "before", "whole", "decimals", "after"
    )
    if before is not None and after is not None:
        return None  # two words: refused by the general path
    word = before if before is not None else after
    if word is not None:
        currency = word.lower()
        if currency not in SUPPORTED_CURRENCIES:
            return None
        if symbol is not None and SYMBOL_CURRENCY[symbol] != currency:
            return None
    elif symbol is not None:
        currency = SYMBOL_CURRENCY[symbol]
    else:
        currency = default_currency.lower()
        if currency not in SUPPORTED_CURRENCIES:
            return None
    exponent = currency_exponent(currency)
    decimals = decimals or ""
    if len(decimals) > exponent:
        return None
    minor = int(whole.replace(",", "") + decimals.ljust(exponent, "0"))
    return Money(minor, currency)


def read_any_amount(text: str, default_currency: str) -> Money | Refusal:
    """The general path: any text, Unicode included, read piece by piece; a Refusal says
    what is wrong with text that is not an amount."""
    lexed = _lex_amount(text)
    if isinstance(lexed, Refusal):
        return lexed
    currency = _resolve_currency(lexed, default_currency)
    if isinstance(currency, Refusal):
        return currency
    form = number_form(lexed.number, currency)
    if form is not None:
        return form
    minor = _to_minor(lexed.number, currency)
    return minor if isinstance(minor, Refusal) else Money(minor, currency)
