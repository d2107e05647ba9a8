"""Split carts' pure parts: `/charge` text with several `@vendor amount` pairs, `/refund` of a
cart, and each part's fee and net (table tests and Hypothesis properties)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.money import FeePolicy, Money, application_fee, make_fee_policy
from bot.money.carts import CartLine, cart_lines, cart_totals
from bot.parsing import (
    CartArgs,
    CartPart,
    CartRefundArgs,
    ChargeArgs,
    parse_charge_command,
    parse_charge_or_cart,
    parse_refund_command,
)
from bot.refusal import Refusal

LIMITS = {"default_currency": "usd", "max_amount": 1_000_000}
FAST = settings(max_examples=200, deadline=None)


def parse(text: str) -> ChargeArgs | CartArgs | Refusal:
    return parse_charge_or_cart(text, **LIMITS)


def usd(amount: int) -> Money:
    return Money(amount, "usd")


@pytest.mark.parametrize(
    ("text", "parts", "email", "description"),
    [
        (
            "<@U0VERA|vera> 60.00 <@U0VIC|victor> 40.00 jane@example.com order #1042",
            [("U0VERA", usd(6000)), ("U0VIC", usd(4000))],
            "jane@example.com",
            "order #1042",
        ),
        ("<@U0VERA> 60 <@U0VIC> 40", [("U0VERA", usd(6000)), ("U0VIC", usd(4000))], None, None),
        # A currency named once (on any part, or after the last amount) is the cart's.
        (
            "<@U0VERA> 60 <@U0VIC> 40 eur",
            [("U0VERA", Money(6000, "eur")), ("U0VIC", Money(4000, "eur"))],
            None,
            None,
        ),
        (
            "<@U0VERA> €60 <@U0VIC> 40 <@U0BOB> EUR 1,000.50 all day pass",
            [
                ("U0VERA", Money(6000, "eur")),
                ("U0VIC", Money(4000, "eur")),
                ("U0BOB", Money(100050, "eur")),
            ],
            None,
            "all day pass",
        ),
        (
            "<@U0VERA> 600 jpy <@U0VIC> 4000 jpy <mailto:j@x.com|j@x.com>",
            [("U0VERA", Money(600, "jpy")), ("U0VIC", Money(4000, "jpy"))],
            "j@x.com",
            None,
        ),
    ],
)
def test_carts_parse(
    text: str, parts: list[tuple[str, Money]], email: str | None, description: str | None
) -> None:
    expected = CartArgs(tuple(CartPart(v, m) for v, m in parts), email, description)
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("<@U0VERA> 1 <@U0VERA> 2", "<@U0VERA> is in the cart twice"),
        ("<@U0VERA> 60 eur <@U0VIC> 40 gbp", "one currency, not EUR and GBP"),
        ("<@U0VERA> $60 <@U0VIC> €40", "one currency, not EUR and USD"),
        ("<@U0VERA> 0.49 <@U0VIC> 40", "<@U0VERA>'s part: $0.49 is below Stripe's minimum"),
        ("<@U0VERA> 60 <@U0VIC> 10,000.01", "<@U0VIC>'s part: $10,000.01 is above the limit"),
        ("<@U0VERA> 60.001 <@U0VIC> 40", "has more decimals than USD allows (2)"),
        ("<@U0VERA> 60 <@U0VIC> 40.5 jpy", "has more decimals than JPY allows (0)"),
        ("<@U0VERA> 60 <@U0VIC> 0", "must be more than zero"),
        ("<@U0VERA> 60 <@U0VIC> -5", "<@U0VIC>'s part"),
        ("<@U0VERA> 60 <@U0VIC> 1e3", "<@U0VIC>'s part"),
        ("<@U0VERA> 60 <@U0VIC>", "Add the amount for <@U0VIC>"),
        ("<@U0VERA> 60 <@U0VIC> <@U0BOB> 5", "Add the amount for <@U0VIC>"),
        ("<@U0VERA> 60 <@U0VIC> 40 xyz jane@example.com", "`xyz` isn't a currency"),
        ("<@U0VERA> 60 <@U0VIC> 40 jane@@example", "email"),
        ("<@U0VERA> 60 <@U0VIC> 40 j@x.com " + "x" * 501, "longer than 500"),
        (" ".join(f"<@U0V{i:02d}> 1" for i in range(11)), "at most 10 vendors"),
    ],
)
def test_carts_refused(text: str, says: str) -> None:
    refused = parse(text)
    assert isinstance(refused, Refusal), refused
    assert says in refused.message


@pytest.mark.parametrize(
    "text",
    [
        "<@U0VERA> 100.00",
        "<@U0VERA> 100 eur jane@example.com lunch",
        "<@U0VERA> 0.10",
        "<@U0VERA>",
        "",
        "100 <@U0VERA>",
        "<@U0VERA> <@U0VIC> 5",
    ],
)
def test_one_pair_is_a_charge_exactly_as_before(text: str) -> None:
    assert parse(text) == parse_charge_command(text, **LIMITS)


vendor_ids = st.lists(
    st.from_regex(r"U0[A-Z0-9]{4}", fullmatch=True), min_size=2, max_size=10, unique=True
)
cents = st.integers(min_value=50, max_value=1_000_000)


@FAST
@given(vendors=vendor_ids, data=st.data())
def test_any_cart_reads_back_its_parts_in_order(vendors: list[str], data: st.DataObject) -> None:
    amounts = [data.draw(cents) for _ in vendors]
    text = " ".join(
        f"<@{v}> {a // 100:,}.{a % 100:02d}" for v, a in zip(vendors, amounts, strict=True)
    )
    parsed = parse(text + " jane@example.com")
    assert parsed == CartArgs(
        tuple(CartPart(v, usd(a)) for v, a in zip(vendors, amounts, strict=True)),
        "jane@example.com",
        None,
    )
    assert parsed.total == usd(sum(amounts))


@FAST
@given(vendors=vendor_ids, data=st.data())
def test_a_vendor_twice_is_always_refused(vendors: list[str], data: st.DataObject) -> None:
    named = vendors[:9]
    again = data.draw(st.sampled_from(named))
    named.insert(data.draw(st.integers(min_value=0, max_value=len(named))), again)
    refused = parse(" ".join(f"<@{v}> {data.draw(cents) / 100:.2f}" for v in named))
    assert isinstance(refused, Refusal) and f"<@{again}> is in the cart twice" in refused.message


@FAST
@given(text=st.text(max_size=120))
def test_any_text_parses_or_is_refused_without_raising(text: str) -> None:
    assert isinstance(parse(text), ChargeArgs | CartArgs | Refusal)


# --- /refund of a cart ------------------------------------------------------------------------

CART = "cb_cart_abcdefghijklmnop"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{CART} all", CartRefundArgs(CART, None)),
        (f"{CART} ALL", CartRefundArgs(CART, None)),
        (f"{CART} <@U0VERA|vera> <@U0VIC>", CartRefundArgs(CART, ("U0VERA", "U0VIC"))),
        (f"{CART}", "Say which parts"),
        (f"{CART} 10.00", "Name the parts by vendor"),
        (f"{CART} <@U0VERA> <@U0VERA>", "named twice"),
        (f"{CART} all <@U0VERA>", "Name the parts by vendor"),
        ("cb_cart_short all", "isn't a charge reference"),
    ],
)
def test_cart_refunds_parse(text: str, expected: CartRefundArgs | str) -> None:
    parsed = parse_refund_command(text, **LIMITS)
    if isinstance(expected, str):
        assert isinstance(parsed, Refusal) and expected in parsed.message
    else:
        assert parsed == expected


# --- each part's fee and net ------------------------------------------------------------------

TEN = make_fee_policy(10, 0, "usd")
assert isinstance(TEN, FeePolicy)


def test_lines_and_totals() -> None:
    five_and_thirty = make_fee_policy(Decimal("5"), 30, "usd")
    assert isinstance(five_and_thirty, FeePolicy)
    lines = cart_lines([("<@A>", usd(6000), TEN), ("<@B>", usd(4000), five_and_thirty)])
    assert lines == (CartLine("<@A>", usd(6000), 600), CartLine("<@B>", usd(4000), 230))
    assert [line.net for line in lines] == [5400, 3770]
    totals = cart_totals(lines)
    assert (totals.gross, totals.fees, totals.net) == (usd(10000), 830, 9170)


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        ([], "at least one part"),
        ([("<@A>", usd(100), TEN), ("<@B>", Money(100, "eur"), TEN)], "one currency"),
        ([("<@A>", usd(6000), TEN), ("<@B>", usd(60), make_fee_policy(0, 60, "usd"))], "<@B>'s"),
        ([("<@A>", Money(5000, "eur"), make_fee_policy(0, 30, "usd"))], "fixed fee is in USD"),
    ],
)
def test_lines_refused(parts: list[tuple[str, Money, FeePolicy]], says: str) -> None:
    refused = cart_lines(parts)
    assert isinstance(refused, Refusal) and says in refused.message


@FAST
@given(
    amounts=st.lists(cents, min_size=1, max_size=10),
    percent=st.decimals(min_value=0, max_value=50, places=2),
    fixed=st.integers(min_value=0, max_value=49),
)
def test_each_part_costs_what_charging_it_alone_would_and_totals_add_up(
    amounts: list[int], percent: Decimal, fixed: int
) -> None:
    policy = make_fee_policy(percent, fixed, "usd")
    assert isinstance(policy, FeePolicy)
    lines = cart_lines([(f"<@U{i}>", usd(a), policy) for i, a in enumerate(amounts)])
    alone = [application_fee(usd(a), policy) for a in amounts]
    # Refused exactly when some part would be refused charged on its own.
    assert isinstance(lines, Refusal) == any(isinstance(fee, Refusal) for fee in alone)
    if isinstance(lines, Refusal):
        return
    for line, amount, fee in zip(lines, amounts, alone, strict=True):
        assert line.fee == fee and 0 <= line.fee < amount
        assert line.net + line.fee == amount
    totals = cart_totals(lines)
    assert totals.gross == usd(sum(amounts))
    assert totals.fees == sum(line.fee for line in lines)
    assert totals.net + totals.fees == totals.gross.amount
