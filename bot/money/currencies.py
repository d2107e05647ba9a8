"""Currencies as Stripe has them: exponents, minimum charges, symbols (pure data)."""

from __future__ import annotations

from typing import Final

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

#: Stripe's published minimum charge amounts, in minor units: "Minimum charge amount by
#: currency" on https://docs.stripe.com/currencies (0.50 USD is 50, 50 JPY is 50, 10 MXN is
#: 1000). These are the currencies connectbot charges in: a currency without a published
#: minimum is one whose smallest charge connectbot cannot check before calling Stripe (BGN,
#: listed in older versions of the table, is not in today's, so connectbot no longer takes it).
MINIMUM_CHARGE: Final[dict[str, int]] = {
    "usd": 50,
    "aed": 200,
    "ars": 50,
    "aud": 50,
    "brl": 50,
    "cad": 50,
    "chf": 50,
    "cop": 50,
    "czk": 1500,
    "dkk": 250,
    "eur": 50,
    "gbp": 30,
    "hkd": 400,
    "huf": 17500,
    "idr": 50,
    "ils": 50,
    "inr": 50,
    "jpy": 50,
    "krw": 50,
    "mxn": 1000,
    "myr": 200,
    "nok": 300,
    "nzd": 50,
    "php": 50,
    "pln": 200,
    "ron": 200,
    "rub": 50,
    "sek": 300,
    "sgd": 50,
    "thb": 1000,
    "zar": 50,
}

#: The currencies connectbot charges in (explicit: the keys of `MINIMUM_CHARGE`).
SUPPORTED_CURRENCIES: Final = frozenset(MINIMUM_CHARGE)

#: Symbols shown before the amount, and accepted when parsing.
SYMBOLS: Final[dict[str, str]] = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}
SYMBOL_CURRENCY: Final[dict[str, str]] = {symbol: code for code, symbol in SYMBOLS.items()}

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
