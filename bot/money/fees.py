"""The platform fee: policies (`5% + 0.30`), the fee on a charge, what the vendor keeps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Final

from bot.money.amounts import non_ascii_digit, parse_fixed_amount
from bot.money.currencies import MAX_AMOUNT_TEXT, STRIPE_CURRENCIES
from bot.money.number_forms import PLAIN_NUMBER_RE
from bot.money.values import Money, format_money, quote
from bot.refusal import Refusal

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
        return Refusal(f"The fee percentage {quote(str(percent))} is not a number.")
    refusal = _check_percent(value, shown=str(percent))
    if refusal is not None:
        return refusal
    if fixed < 0:
        return Refusal("The fixed fee can't be negative.")
    code = fixed_currency.lower()
    if code not in STRIPE_CURRENCIES:
        return Refusal(f"The fee currency {quote(fixed_currency)} is not a currency.")
    return FeePolicy(value, fixed, code)


def chosen_fee_policy(
    *,
    own_percent: Decimal | None,
    own_fixed: int | None,
    own_currency: str | None,
    default: FeePolicy | Refusal,
) -> FeePolicy | Refusal:
    """A vendor's own fee when an admin set either part of it, else `default` (the configured
    APPLICATION_FEE_PERCENT / _FIXED). An unset part of an own fee is zero; its currency falls
    back to the default's. Refuses what `make_fee_policy` refuses.
    """
    if own_percent is None and own_fixed is None:
        return default
    # A stored percent keeps three decimals (2.9 comes back as 2.900), and a policy refuses
    # more than two: trailing zeros go, so it reads as the admin typed it.
    percent = Decimal(format(own_percent.normalize(), "f")) if own_percent is not None else 0
    currency = own_currency or (default.fixed_currency if isinstance(default, FeePolicy) else "")
    return make_fee_policy(percent, own_fixed or 0, currency)


def _check_percent(value: Decimal, *, shown: str) -> Refusal | None:
    """Refuse a percent outside [0, 100), non-finite, or with more than two decimals."""
    if not value.is_finite():
        return Refusal(f"The fee percentage {quote(shown)} is not a number.")
    if value < 0:
        return Refusal(f"The fee percentage {quote(shown)} can't be negative.")
    if value >= 100:
        return Refusal(f"The fee percentage {quote(shown)} must be below 100%.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PERCENT_DECIMALS:
        return Refusal(
            f"The fee percentage {quote(shown)} has too many decimals (at most {PERCENT_DECIMALS})."
        )
    return None


def _parse_percent(part: str) -> Decimal | Refusal:
    """Parse `5%` / `2.9 %` into Decimal("5") / Decimal("2.9").

    Refuses negative values, non-ASCII digits, exponent forms, malformed numbers, values
    outside [0, 100) and more than two decimals.
    """
    number = part[:-1].strip()
    if number.startswith(("-", "−")):
        return Refusal(f"The fee percentage {quote(part)} can't be negative.")
    if non_ascii_digit(number) is not None:
        return Refusal(f"{quote(part)} uses non-ASCII digits; type percentages with 0-9.")
    if not PLAIN_NUMBER_RE.fullmatch(number):
        return Refusal(f"{quote(part)} is not a percentage like `5%` or `2.9%`.")
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
        return Refusal(f"{quote(stripped)} is not a fee; write `5%`, `0.30` or `5% + 0.30`.")
    percents = [part for part in parts if part.endswith("%")]
    fixeds = [part for part in parts if not part.endswith("%")]
    if len(percents) > 1 or len(fixeds) > 1:
        return Refusal(f"{quote(stripped)}: give at most one percentage and one fixed amount.")
    percent = Decimal(0)
    if percents:
        parsed = _parse_percent(percents[0])
        if isinstance(parsed, Refusal):
            return parsed
        percent = parsed
    if currency.lower() not in STRIPE_CURRENCIES:
        return Refusal(f"The fee currency {quote(currency)} is not a currency.")
    fixed = Money(0, currency.lower())
    if fixeds:
        if "%" in fixeds[0]:
            return Refusal(
                f"{quote(stripped)} is not a fee; join a percentage and a fixed amount with "
                "`+`, like `5% + 0.30`."
            )
        parsed_fixed = parse_fixed_amount(fixeds[0], default_currency=currency)
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


def round_half_up(value: Decimal) -> int:
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
        percent_part = round_half_up(Decimal(amount.amount) * policy.percent / 100)
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
