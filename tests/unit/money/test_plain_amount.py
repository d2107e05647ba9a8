"""`plain_amount`: minor units to the plain decimal a CSV holds, exactly, in any currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.money import Money, currency_exponent, plain_amount


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (10000, "usd", "100.00"),
        (5, "usd", "0.05"),
        (0, "eur", "0.00"),
        (-525, "usd", "-5.25"),
        (-5, "gbp", "-0.05"),
        (123456789, "usd", "1234567.89"),  # no grouping: a machine reads it
        (100, "jpy", "100"),
        (-7, "krw", "-7"),
        (1050, "chf", "10.50"),
    ],
)
def test_plain_amount(amount: int, currency: str, shown: str) -> None:
    assert plain_amount(Money(amount, currency)) == shown


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(["usd", "eur", "jpy", "krw", "gbp", "huf"]),
)
def test_plain_amount_reads_back_to_the_same_minor_units(amount: int, currency: str) -> None:
    shown = plain_amount(Money(amount, currency))
    exponent = currency_exponent(currency)
    assert Decimal(shown).scaleb(exponent) == amount
    assert ("." in shown) == (exponent > 0)
    if exponent:
        assert len(shown.split(".")[1]) == exponent
