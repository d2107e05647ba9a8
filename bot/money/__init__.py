"""Money for connectbot: parse, check and format amounts, and compute platform fees.

Pure code: no I/O, no environment, no clock. Amounts are integers in the currency's minor unit
everywhere (cents for USD, whole yen for JPY); parsing goes through `decimal.Decimal`, never
`float`. Anything a person typed that cannot be charged safely comes back as a `Refusal`
(`bot.refusal`) whose message a Slack user can read; parsing functions never raise on user text.

Currencies:

* Exponents follow Stripe: zero-decimal currencies have no minor unit, three-decimal currencies
  (BHD, JOD, KWD, OMR, TND) are refused, everything else has two decimals.
* connectbot charges only in the currencies for which Stripe publishes a fixed minimum charge
  amount (`SUPPORTED_CURRENCIES`), because a charge below the minimum must be refused before
  Stripe is called. Other Stripe currencies are recognised (and formatted) but refused for
  charging with a message naming them.
* Symbols: `$` always means USD, `€` EUR, `£` GBP, `¥` JPY. Other currencies are written with
  their code (`100 CHF`, `CHF 100`).
"""

from bot.money.amounts import parse_money
from bot.money.currencies import (
    MINIMUM_CHARGE,
    STRIPE_CURRENCIES,
    SUPPORTED_CURRENCIES,
    SYMBOLS,
    currency_exponent,
    minimum_charge,
)
from bot.money.fees import (
    FeePolicy,
    application_fee,
    chosen_fee_policy,
    describe_fee_policy,
    describe_fee_split,
    make_fee_policy,
    parse_fee_policy,
    vendor_net,
)
from bot.money.refunds import fee_refund_for, resolve_refund_amount
from bot.money.values import Money, format_money, plain_amount

__all__ = [
    "MINIMUM_CHARGE",
    "STRIPE_CURRENCIES",
    "SUPPORTED_CURRENCIES",
    "SYMBOLS",
    "FeePolicy",
    "Money",
    "application_fee",
    "chosen_fee_policy",
    "currency_exponent",
    "describe_fee_policy",
    "describe_fee_split",
    "fee_refund_for",
    "format_money",
    "make_fee_policy",
    "minimum_charge",
    "parse_fee_policy",
    "parse_money",
    "plain_amount",
    "resolve_refund_amount",
    "vendor_net",
]
