"""Money for connectbot: parse, check and format amounts, and compute platform fees.

Pure code: no I/O, no environment, no clock. Amounts are integers in the currency's minor unit
everywhere (cents for USD, whole yen for JPY); parsing goes through `decimal.Decimal`, never
`float`. Anything a person typed that cannot be charged safely comes back as a `Refusal` whose
message a Slack user can read; parsing functions never raise on user text.

Currencies (PRODUCT.md §5):

* Exponents follow Stripe: zero-decimal currencies have no minor unit, three-decimal currencies
  (BHD, JOD, KWD, OMR, TND) are refused, everything else has two decimals.
* connectbot charges only in the currencies for which Stripe publishes a fixed minimum charge
  amount (`SUPPORTED_CURRENCIES`), because a charge below the minimum must be refused before
  Stripe is called. Other Stripe currencies are recognised (and formatted) but refused for
  charging with a message naming them.
* Symbols: `$` always means USD, `€` EUR, `£` GBP, `¥` JPY. Other currencies are written with
  their code (`100 CHF`, `CHF 100`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext
from typing import Final

__all__ = [
    "SUPPORTED_CURRENCIES",
    "FeePolicy",
    "Money",
    "Refusal",
    "application_fee",
    "currency_exponent",
    "describe_fee_policy",
    "describe_fee_split",
    "fee_refund",
    "fee_refund_for",
    "format_money",
    "make_fee_policy",
    "minimum_charge",
    "parse_fee_policy",
    "parse_money",
    "resolve_refund_amount",
    "vendor_net",
]

# --------------------------------------------------------------------------------------------
# Currency table
# --------------------------------------------------------------------------------------------

#: Stripe's zero-decimal currencies: the amount is already in whole units.
ZERO_DECIMAL: Final = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()
)

#: Stripe's three-decimal currencies: connectbot refuses them (Stripe wants the last digit 0).
THREE_DECIMAL: Final = frozenset("bhd jod kwd omr tnd".split())

#: Every presentment currency Stripe lists, so that a real code that connectbot does not
#: charge in gets "not supported" rather than "unknown", and so it can still be formatted.
STRIPE_CURRENCIES: Final = (
    frozenset(
        """
        aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bmd bnd bob brl bsd bwp byn bzd
        cad cdf chf cny cop crc cve czk dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gtq gyd
        hkd hnl htg huf idr ils inr isk jmd kes kgs khr kyd kzt lak lbp lkr lrd lsl mad mdl mkd
        mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln qar
        ron rsd rub sar sbd scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah
        usd uyu uzs wst xcd xcg yer zar zmw
        """.split()
    )
    | ZERO_DECIMAL
    | THREE_DECIMAL
)

#: Stripe's published minimum charge amounts, in minor units ("Minimum and maximum charge
#: amounts" in Stripe's currency docs). These are the currencies connectbot charges in.
MINIMUM_CHARGE: Final[dict[str, int]] = {
    "usd": 50,
    "aed": 200,
    "aud": 50,
    "bgn": 100,
    "brl": 50,
    "cad": 50,
    "chf": 50,
    "czk": 1500,
    "dkk": 250,
    "eur": 50,
    "gbp": 30,
    "hkd": 400,
    "huf": 17500,
    "inr": 50,
    "jpy": 50,
    "mxn": 1000,
    "myr": 200,
    "nok": 300,
    "nzd": 50,
    "pln": 200,
    "ron": 200,
    "sek": 300,
    "sgd": 50,
    "thb": 1000,
}

#: The currencies connectbot charges in (explicit: the keys of `MINIMUM_CHARGE`).
SUPPORTED_CURRENCIES: Final = frozenset(MINIMUM_CHARGE)

#: Symbols shown before the amount, and accepted when parsing.
SYMBOLS: Final[dict[str, str]] = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}
_SYMBOL_CURRENCY: Final[dict[str, str]] = {symbol: code for code, symbol in SYMBOLS.items()}

#: Longest amount text parse_money looks at; longer text is refused, not scanned.
MAX_AMOUNT_TEXT: Final = 64


def currency_exponent(currency: str) -> int:
    """Number of decimals of `currency` (0, 2 or 3). Unknown codes are assumed to have 2."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def minimum_charge(currency: str) -> int | None:
    """Stripe's minimum charge in minor units; None for currencies connectbot doesn't charge in."""
    return MINIMUM_CHARGE.get(currency.lower())


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

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


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why some input was refused: one sentence for the Slack user (callers append usage)."""

    message: str


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


# --------------------------------------------------------------------------------------------
# Amount text -> number + currency
# --------------------------------------------------------------------------------------------

_PIECE_RE: Final = re.compile(
    r"(?P<space>\s+)|(?P<number>[0-9.,]*[0-9][0-9.,]*)|(?P<word>[A-Za-z]+)"
    r"|(?P<symbol>[$€£¥])|(?P<minus>[-−–—])|(?P<other>.)",
    re.DOTALL,
)
_EXPONENT_RE: Final = re.compile(r"[0-9.]\s*[eE]\s*[-+]?\s*[0-9]")
_WORD_RE: Final = re.compile(r"[A-Za-z]+")
_NOT_A_NUMBER_WORDS: Final = frozenset({"nan", "snan", "inf", "infinity"})
_PLAIN_NUMBER_RE: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_GROUPED_NUMBER_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class _Lexed:
    """An amount split into its number text and the currency it names (if any)."""

    number: str
    code: str | None
    symbol: str | None


def _show(text: str) -> str:
    """Quote user text for a message without letting it break Slack formatting."""
    shown = text.strip().replace("`", "'")
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"`{shown}`"


def _non_ascii_digit(text: str) -> str | None:
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
    odd_digit = _non_ascii_digit(stripped)
    if odd_digit is not None:
        name = unicodedata.name(odd_digit, "a non-ASCII digit").lower()
        return Refusal(
            f"{_show(stripped)} uses {name} (`{odd_digit}`); type amounts with the digits 0-9."
        )
    if _EXPONENT_RE.search(stripped):
        return Refusal(f"{_show(stripped)} uses exponent notation; write the amount in full.")

    if any(word.lower() in _NOT_A_NUMBER_WORDS for word in _WORD_RE.findall(stripped)):
        return Refusal(f"{_show(stripped)} is not a number; enter an amount like `100.00`.")

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
            return Refusal(f"{_show(stripped)}: amounts must be positive, without a minus sign.")
        elif kind == "other":
            return Refusal(
                f"{_show(stripped)} contains {_show(piece)}, which is not part of an amount."
            )

    if not numbers:
        return Refusal(f"{_show(stripped)} is not an amount; enter a number like `100.00`.")
    if len(numbers) > 1:
        listed = ", ".join(_show(n) for n in numbers)
        return Refusal(f"{_show(stripped)} has several numbers ({listed}); enter one amount.")
    if len(symbols) > 1:
        return Refusal(f"{_show(stripped)} has several currency symbols; use one.")
    codes: list[str] = []
    for word in words:
        code_or_refusal = _currency_word(word)
        if isinstance(code_or_refusal, Refusal):
            return code_or_refusal
        codes.append(code_or_refusal)
    if len(codes) > 1:
        return Refusal(f"{_show(stripped)} names several currencies; use one.")
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
        return Refusal(f"{_show(word)} is not a currency connectbot knows. {_supported_sentence()}")
    return Refusal(
        f"{_show(word)} is not a currency code; use a three-letter code such as `USD` or `EUR`."
    )


def _supported_sentence() -> str:
    """`Supported currencies: AED, AUD, …`."""
    codes = ", ".join(code.upper() for code in sorted(SUPPORTED_CURRENCIES))
    return f"Supported currencies: {codes}."


def _resolve_currency(lexed: _Lexed, default_currency: str) -> str | Refusal:
    """The currency an amount is in: its code, else its symbol, else the default.

    Refuses a symbol that contradicts the code (`$100 eur`) and an unsupported default.
    """
    from_symbol = _SYMBOL_CURRENCY[lexed.symbol] if lexed.symbol else None
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
        return Refusal(f"The default currency {_show(default_currency)} is not supported.")
    return default


def _number_form(number: str) -> Refusal | None:
    """Check the shape of a number: `1000`, `1000.50`, `1,000.50`.

    Refuses misplaced thousands separators (`1,00`, `10,00,000`), several decimal points,
    and a decimal point without digits on both sides (`.50`, `100.`).
    """
    if _PLAIN_NUMBER_RE.fullmatch(number) or _GROUPED_NUMBER_RE.fullmatch(number):
        return None
    if number.count(".") > 1:
        return Refusal(f"{_show(number)} has more than one decimal point.")
    if "," in number:
        return Refusal(
            f"{_show(number)} has a misplaced thousands separator; write `1,000.50` or `1000.50`."
        )
    if number.startswith("."):
        return Refusal(f"{_show(number)} needs a digit before the decimal point: `0{number}`.")
    return Refusal(f"{_show(number)} needs digits after the decimal point.")


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
            f"{_show(number)} has more decimals than {currency.upper()} allows ({exponent})."
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
    lexed = _lex_amount(text)
    if isinstance(lexed, Refusal):
        return lexed
    currency = _resolve_currency(lexed, default_currency)
    if isinstance(currency, Refusal):
        return currency
    form = _number_form(lexed.number)
    if form is not None:
        return form
    minor = _to_minor(lexed.number, currency)
    if isinstance(minor, Refusal):
        return minor
    money = Money(minor, currency)
    limit = _limits(money, max_amount=max_amount, enforce_minimum=enforce_minimum)
    return limit if limit is not None else money


def _parse_fixed_amount(text: str, *, default_currency: str) -> Money | Refusal:
    """Parse the fixed part of a fee: like `parse_money`, but zero is fine and no limits apply."""
    lexed = _lex_amount(text)
    if isinstance(lexed, Refusal):
        return lexed
    currency = _resolve_currency(lexed, default_currency)
    if isinstance(currency, Refusal):
        return currency
    form = _number_form(lexed.number)
    if form is not None:
        return form
    minor = _to_minor(lexed.number, currency)
    return minor if isinstance(minor, Refusal) else Money(minor, currency)


# --------------------------------------------------------------------------------------------
# Fee policy
# --------------------------------------------------------------------------------------------

#: Most decimals a fee percentage may have (`2.95%`).
PERCENT_DECIMALS: Final = 2


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """Platform fee: `percent` of the charge plus `fixed` minor units of `fixed_currency`."""

    percent: Decimal
    fixed: int
    fixed_currency: str


def make_fee_policy(
    percent: Decimal | int | str, fixed: int, fixed_currency: str
) -> FeePolicy | Refusal:
    """Build a policy from configured values (e.g. APPLICATION_FEE_PERCENT / _FIXED).

    Refuses a percent that is not a finite number in [0, 100) with at most two decimals,
    a negative fixed part, and an unknown currency.
    """
    try:
        value = Decimal(str(percent).strip())
    except InvalidOperation:
        return Refusal(f"The fee percentage {_show(str(percent))} is not a number.")
    refusal = _check_percent(value, shown=str(percent))
    if refusal is not None:
        return refusal
    if fixed < 0:
        return Refusal("The fixed fee can't be negative.")
    code = fixed_currency.lower()
    if code not in STRIPE_CURRENCIES:
        return Refusal(f"The fee currency {_show(fixed_currency)} is not a currency.")
    return FeePolicy(value, fixed, code)


def _check_percent(value: Decimal, *, shown: str) -> Refusal | None:
    """Refuse a percent outside [0, 100), non-finite, or with more than two decimals."""
    if not value.is_finite():
        return Refusal(f"The fee percentage {_show(shown)} is not a number.")
    if value < 0:
        return Refusal(f"The fee percentage {_show(shown)} can't be negative.")
    if value >= 100:
        return Refusal(f"The fee percentage {_show(shown)} must be below 100%.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PERCENT_DECIMALS:
        return Refusal(
            f"The fee percentage {_show(shown)} has too many decimals (at most {PERCENT_DECIMALS})."
        )
    return None


def _parse_percent(part: str) -> Decimal | Refusal:
    """Parse `5%` / `2.9 %` into Decimal("5") / Decimal("2.9").

    Refuses negative values, non-ASCII digits, exponent forms, malformed numbers, values
    outside [0, 100) and more than two decimals.
    """
    number = part[:-1].strip()
    if number.startswith(("-", "−")):
        return Refusal(f"The fee percentage {_show(part)} can't be negative.")
    if _non_ascii_digit(number) is not None:
        return Refusal(f"{_show(part)} uses non-ASCII digits; type percentages with 0-9.")
    if not _PLAIN_NUMBER_RE.fullmatch(number):
        return Refusal(f"{_show(part)} is not a percentage like `5%` or `2.9%`.")
    value = Decimal(number)
    refusal = _check_percent(value, shown=part)
    return refusal if refusal is not None else value


def parse_fee_policy(text: str, *, currency: str) -> FeePolicy | Refusal:
    """Parse an admin's fee policy: `5%`, `0.30`, `5% + 0.30`, `2.9%+0.30`, `0.30 + 5%`, `0%`.

    The fixed part is in `currency` unless it names its own (`€0.30`, `0.30 eur`).
    Refuses empty text, parts not joined by `+`, two percentages or two fixed parts, a
    percentage outside [0, 100) or with more than two decimals, a negative or malformed
    fixed part, and more decimals than the fixed part's currency has.
    """
    stripped = text.strip()
    if not stripped:
        return Refusal("Enter a fee such as `5%`, `0.30` or `5% + 0.30`.")
    if len(stripped) > MAX_AMOUNT_TEXT:
        return Refusal("That fee is too long; enter something like `5% + 0.30`.")
    parts = [part.strip() for part in stripped.split("+")]
    if len(parts) > 2 or any(not part for part in parts):
        return Refusal(f"{_show(stripped)} is not a fee; write `5%`, `0.30` or `5% + 0.30`.")
    percents = [part for part in parts if part.endswith("%")]
    fixeds = [part for part in parts if not part.endswith("%")]
    if len(percents) > 1 or len(fixeds) > 1:
        return Refusal(f"{_show(stripped)}: give at most one percentage and one fixed amount.")
    percent = Decimal(0)
    if percents:
        parsed = _parse_percent(percents[0])
        if isinstance(parsed, Refusal):
            return parsed
        percent = parsed
    if currency.lower() not in STRIPE_CURRENCIES:
        return Refusal(f"The fee currency {_show(currency)} is not a currency.")
    fixed = Money(0, currency.lower())
    if fixeds:
        if "%" in fixeds[0]:
            return Refusal(
                f"{_show(stripped)} is not a fee; join a percentage and a fixed amount with "
                "`+`, like `5% + 0.30`."
            )
        parsed_fixed = _parse_fixed_amount(fixeds[0], default_currency=currency)
        if isinstance(parsed_fixed, Refusal):
            return parsed_fixed
        fixed = parsed_fixed
    return FeePolicy(percent, fixed.amount, fixed.currency)


def _percent_text(percent: Decimal) -> str:
    """`5`, `2.9`, `10` — no exponent notation, no trailing zeros."""
    text = format(percent, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def describe_fee_policy(policy: FeePolicy) -> str:
    """`5% + $0.30`, `5%`, `$0.30`, or `0%` for no fee."""
    percent = f"{_percent_text(policy.percent)}%"
    fixed = format_money(Money(policy.fixed, policy.fixed_currency))
    if policy.fixed == 0:
        return percent
    if policy.percent == 0:
        return fixed
    return f"{percent} + {fixed}"


def _round_half_up(value: Decimal) -> int:
    """Round to a whole number of minor units, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def application_fee(amount: Money, policy: FeePolicy) -> int | Refusal:
    """Platform fee in minor units: round-half-up(amount × percent / 100) + fixed.

    Refuses a non-zero fixed part in a currency other than the charge's, and a fee that is
    not below the charge (a vendor must receive something). A zero fee is allowed.
    """
    if policy.fixed and policy.fixed_currency != amount.currency:
        return Refusal(
            f"The fixed fee is in {policy.fixed_currency.upper()} but the charge is in "
            f"{amount.currency.upper()}; set a fee for this vendor without a fixed part "
            f"or in {amount.currency.upper()}."
        )
    with localcontext() as context:
        context.prec = max(28, len(str(abs(amount.amount))) + 10)
        percent_part = _round_half_up(Decimal(amount.amount) * policy.percent / 100)
    fee = percent_part + policy.fixed
    if fee >= amount.amount:
        return Refusal(
            f"The platform fee ({format_money(Money(fee, amount.currency))}) would not be less "
            f"than the charge ({format_money(amount)})."
        )
    return fee


def vendor_net(amount: int, fee: int) -> int:
    """What the vendor receives before Stripe's own fees: `amount - fee`.

    Raises ValueError for a negative fee or a fee above the amount (a programming error:
    `application_fee` never returns one).
    """
    if fee < 0 or fee > amount:
        raise ValueError(f"fee {fee} is outside [0, {amount}]")
    return amount - fee


def describe_fee_split(amount: Money, fee: int) -> str:
    """`platform fee €10.00 · vendor receives €90.00 before Stripe fees` for previews."""
    net = vendor_net(amount.amount, fee)
    return (
        f"platform fee {format_money(Money(fee, amount.currency))} · vendor receives "
        f"{format_money(Money(net, amount.currency))} before Stripe fees"
    )


# --------------------------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------------------------


def fee_refund(fee: int, charged: int, refunded: int) -> int:
    """Cumulative application fee to refund once `refunded` of `charged` has been refunded.

    round-half-up(fee × refunded / charged), so a full refund returns the whole fee and the
    result never decreases as `refunded` grows. To get the fee for one refund, take the
    difference between two calls (or use `fee_refund_for`): the differences then always sum to
    at most the fee, and exactly to the fee once everything is refunded.

    Raises ValueError (a programming error) for charged <= 0, a negative fee, or refunded
    outside [0, charged].
    """
    if charged <= 0 or fee < 0 or not 0 <= refunded <= charged:
        raise ValueError(f"bad refund figures: fee={fee} charged={charged} refunded={refunded}")
    with localcontext() as context:
        context.prec = max(28, len(str(fee)) + len(str(charged)) + 10)
        share = _round_half_up(Decimal(fee) * Decimal(refunded) / Decimal(charged))
    return min(share, fee)


def fee_refund_for(
    fee: int, charged: int, already_refunded: int, refund_amount: int, fee_already_refunded: int
) -> int:
    """Application fee to refund with one refund of `refund_amount`.

    The fee due after this refund (`fee_refund` on the new total) minus what was already
    refunded of the fee, never below zero and never more than what remains of the fee. A
    refund that completes the charge returns exactly the rest of the fee, whatever rounding
    earlier refunds used. Raises ValueError if the refund exceeds what remains of the charge
    or any figure is negative.
    """
    if refund_amount < 0 or already_refunded < 0 or not 0 <= fee_already_refunded <= fee:
        raise ValueError("refund figures must be non-negative and within the fee")
    if already_refunded + refund_amount > charged:
        raise ValueError(
            f"refund {refund_amount} exceeds the {charged - already_refunded} that remains"
        )
    due = fee_refund(fee, charged, already_refunded + refund_amount)
    return max(0, min(due - fee_already_refunded, fee - fee_already_refunded))


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
