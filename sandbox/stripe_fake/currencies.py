"""Stripe's currency tables, as the fake keeps them (the sandbox never imports connectbot's).

Sources (quoted beside each table): Stripe's "Supported currencies" page,
https://docs.stripe.com/currencies ("Supported presentment currencies", "Zero-decimal
currencies", "Minimum and maximum charge amounts"), and the API reference's `amount` docstring
in stripe-python (`PaymentIntentCreateParams.amount`: "The amount value supports up to eight
digits (e.g., a value of 99999999 for a USD charge of $999,999.99)").
"""

from __future__ import annotations

from typing import Final

#: docs.stripe.com/currencies, "Zero-decimal currencies": the amount is in whole units.
ZERO_DECIMAL: Final = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()
)

#: docs.stripe.com/currencies, "Three-decimal currencies".
THREE_DECIMAL: Final = frozenset("bhd jod kwd omr tnd".split())

#: docs.stripe.com/currencies, "Supported presentment currencies" (lowercase ISO codes).
PRESENTMENT: Final = (
    frozenset(
        """
        aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bmd bnd bob brl bsd bwp byn
        bzd cad cdf chf cny cop crc cve czk dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gtq
        gyd hkd hnl htg huf idr ils inr isk jmd kes kgs khr kyd kzt lak lbp lkr lrd lsl mad mdl
        mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln
        qar ron rsd rub sar sbd scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs
        uah usd uyu uzs wst xcd xcg yer zar zmw
        """.split()
    )
    | ZERO_DECIMAL
    | THREE_DECIMAL
)

#: docs.stripe.com/currencies, "Minimum charge amount by currency", in minor units
#: (0.50 USD is 50; 50 JPY is 50; 175.00 HUF is 17500; 10 MXN is 1000).
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

#: A currency outside Stripe's minimum table: Stripe converts the charge to the account's
#: settlement currency and wants 0.50 USD of it. The fake has no exchange rates, so it asks
#: for 50 minor units (an approximation; connectbot charges only in the table's currencies).
UNLISTED_MINIMUM: Final = 50

#: PaymentIntentCreateParams.amount: "supports up to eight digits".
MAX_AMOUNT: Final = 99_999_999

#: Symbols in Stripe's amount messages ("Amount must be at least $0.50 usd", "£0.30 gbp",
#: "€0.50 eur", "¥50 jpy", "$0.50 cad"); other currencies are written without one.
_SYMBOLS: Final[dict[str, str]] = {
    "usd": "$",
    "aud": "$",
    "cad": "$",
    "hkd": "$",
    "mxn": "$",
    "nzd": "$",
    "sgd": "$",
    "eur": "€",
    "gbp": "£",
    "jpy": "¥",
    "inr": "₹",
    "krw": "₩",
    "brl": "R$",
}


def exponent(currency: str) -> int:
    """Decimals of ``currency`` in the API.

    ISK, HUF, TWD and UGX count two: docs.stripe.com/currencies, "Special cases" ("backward
    compatibility requires you to represent it as a two-decimal value").
    """
    if currency in ZERO_DECIMAL and currency != "ugx":
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def minimum_charge(currency: str) -> int:
    """The smallest ``amount`` Stripe charges in ``currency``, in minor units."""
    return MINIMUM_CHARGE.get(currency, UNLISTED_MINIMUM)


def format_amount(amount: int, currency: str, *, grouped: bool = False) -> str:
    """``$0.50``, ``¥50``, ``175.00`` (no symbol known): how Stripe's messages write money."""
    places = exponent(currency)
    whole, part = divmod(amount, 10**places)
    text = f"{whole:,}" if grouped else str(whole)
    if places:
        text += f".{part:0{places}d}"
    symbol = _SYMBOLS.get(currency, "")
    return symbol + text if symbol else text
