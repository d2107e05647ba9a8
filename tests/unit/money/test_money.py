"""Table tests and properties for bot.money."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.money import (
    MINIMUM_CHARGE,
    STRIPE_CURRENCIES,
    SUPPORTED_CURRENCIES,
    FeePolicy,
    Money,
    application_fee,
    currency_exponent,
    describe_fee_policy,
    describe_fee_split,
    fee_refund_for,
    format_money,
    make_fee_policy,
    minimum_charge,
    parse_fee_policy,
    parse_money,
    resolve_refund_amount,
    vendor_net,
)
from bot.money.amounts import read_any_amount, read_plain_amount
from bot.refusal import Refusal
from sandbox.stripe_fake import currencies as fake_currencies

MAX = 1_000_000  # MAX_CHARGE_AMOUNT's default: $10,000.00


def parse(text: str, default: str = "usd", max_amount: int = MAX) -> Money | Refusal:
    return parse_money(text, default_currency=default, max_amount=max_amount)


# --------------------------------------------------------------------------------------------
# Currency table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("usd", 2), ("eur", 2), ("jpy", 0), ("krw", 0), ("xof", 0), ("kwd", 3), ("bhd", 3)],
)
def test_currency_exponent(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [
        ("usd", 50),
        ("eur", 50),
        ("gbp", 30),
        ("jpy", 50),
        ("cad", 50),
        ("aud", 50),
        ("chf", 50),
        ("hkd", 400),
        ("huf", 17500),
        ("mxn", 1000),
        ("krw", 50),
        ("idr", 50),
        ("thb", 1000),
        ("czk", 1500),
        ("bgn", None),
        ("xyz", None),
    ],
)
def test_minimum_charge(currency: str, minimum: int | None) -> None:
    assert minimum_charge(currency) == minimum


def test_currency_tables_agree_with_the_fake_stripe() -> None:
    """connectbot and the fake Stripe each keep Stripe's tables; they must be the same."""
    assert MINIMUM_CHARGE == fake_currencies.MINIMUM_CHARGE
    assert STRIPE_CURRENCIES == fake_currencies.PRESENTMENT
    for code in STRIPE_CURRENCIES - {"ugx"}:  # UGX: two decimals in the API (Stripe's rule)
        assert currency_exponent(code) == fake_currencies.exponent(code), code


def test_supported_currencies_are_explicit_and_sane() -> None:
    assert set(MINIMUM_CHARGE) == SUPPORTED_CURRENCIES
    assert SUPPORTED_CURRENCIES <= STRIPE_CURRENCIES
    assert not SUPPORTED_CURRENCIES & {"bhd", "jod", "kwd", "omr", "tnd"}
    assert all(len(code) == 3 and code.islower() for code in STRIPE_CURRENCIES)


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(10000, "usd"), "$100.00"),
        (Money(123450, "eur"), "€1,234.50"),
        (Money(500, "gbp"), "£5.00"),
        (Money(1000, "jpy"), "¥1,000"),
        (Money(123450, "chf"), "1,234.50 CHF"),
        (Money(5, "usd"), "$0.05"),
        (Money(0, "usd"), "$0.00"),
        (Money(-500, "usd"), "-$5.00"),
        (Money(-123450, "chf"), "-1,234.50 CHF"),
        (Money(123456789, "usd"), "$1,234,567.89"),
        (Money(1000000, "krw"), "1,000,000 KRW"),
        (Money(5120, "kwd"), "5.120 KWD"),
        (Money(150, "xyz"), "1.50 XYZ"),
    ],
)
def test_format_money(money: Money, text: str) -> None:
    assert format_money(money) == text


@pytest.mark.parametrize(
    ("amount", "currency"), [(1.5, "usd"), (True, "usd"), (1, "USD"), (1, "us"), (1, "")]
)
def test_money_rejects_programming_errors(amount: object, currency: str) -> None:
    with pytest.raises(ValueError):
        Money(amount, currency)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# parse_money: accepted forms
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "default", "amount", "currency"),
    [
        ("100", "usd", 10000, "usd"),
        ("100.00", "usd", 10000, "usd"),
        ("1,000.50", "usd", 100050, "usd"),
        ("$100", "usd", 10000, "usd"),
        ("$100", "eur", 10000, "usd"),
        ("€100", "usd", 10000, "eur"),
        ("£5", "usd", 500, "gbp"),
        ("¥500", "usd", 500, "jpy"),
        ("100 eur", "usd", 10000, "eur"),
        ("EUR 100", "usd", 10000, "eur"),
        ("eur100", "usd", 10000, "eur"),
        ("100eur", "usd", 10000, "eur"),
        ("100EUR", "usd", 10000, "eur"),
        ("usd 12.5", "eur", 1250, "usd"),
        ("  100.00  ", "usd", 10000, "usd"),
        ("100", "eur", 10000, "eur"),
        ("100", "EUR", 10000, "eur"),
        ("100", "jpy", 100, "jpy"),
        ("1,000 jpy", "usd", 1000, "jpy"),
        ("0.50", "usd", 50, "usd"),
        ("0.30 gbp", "usd", 30, "gbp"),
        ("50 jpy", "usd", 50, "jpy"),
        ("10,000.00", "usd", 1_000_000, "usd"),
        ("1,234,567.89", "usd", 123456789, "usd"),
        ("€ 100", "usd", 10000, "eur"),
        ("100 €", "usd", 10000, "eur"),
        ("€100 EUR", "usd", 10000, "eur"),
        ("$100 usd", "eur", 10000, "usd"),
        ("100 CHF", "usd", 10000, "chf"),
        ("007", "usd", 700, "usd"),
        ("100.5", "usd", 10050, "usd"),
    ],
)
def test_parse_money_accepts(text: str, default: str, amount: int, currency: str) -> None:
    big = 10**10
    assert parse(text, default, big if amount > MAX else MAX) == Money(amount, currency)


# --------------------------------------------------------------------------------------------
# parse_money: refused forms (each with its own message)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("0 eur", "more than zero"),
        ("-5", "positive"),
        ("-100.00", "positive"),
        ("−100", "positive"),
        ("$-100", "positive"),
        ("abc", "not an amount"),
        ("one hundred", "not an amount"),
        ("$", "not an amount"),
        ("1e3", "exponent"),
        ("1E3", "exponent"),
        ("1.5e+2", "exponent"),
        ("1e-2", "exponent"),
        ("NaN", "not a number"),
        ("nan", "not a number"),
        ("Infinity", "not a number"),
        ("inf", "not a number"),
        ("-Infinity", "not a number"),
        ("sNaN", "not a number"),
        ("١٠٠", "digits 0-9"),
        ("１００", "digits 0-9"),
        ("१००", "digits 0-9"),
        ("100²", "digits 0-9"),
        ("½", "digits 0-9"),
        ("1,00", "a comma separates thousands (`1,000.50`) and a dot marks the decimals"),
        ("1,00", "write `1,00` as `1.00`."),
        ("100,00", "write `100,00` as `100.00`."),
        ("100,5", "write `100,5` as `100.5`."),
        ("1.000,50", "write `1.000,50` as `1000.50`."),
        ("1.000.000", "write `1.000.000` as `1000000`."),
        ("100,00 jpy", "write `100,00` as `100`."),
        ("100,50 jpy", "write `100,50` as `100.50`."),
        ("10,00,000", "misplaced thousands separator"),
        ("1,0000", "misplaced thousands separator"),
        (",100", "misplaced thousands separator"),
        ("100,", "misplaced thousands separator"),
        ("1,000,5", "misplaced thousands separator"),
        ("1.2.3", "more than one decimal point"),
        (".50", "digit before the decimal point"),
        ("100.", "digits after the decimal point"),
        ("100.001 usd", "more decimals than USD allows (2)"),
        ("100.001", "more decimals than USD allows (2)"),
        ("100.5 jpy", "more decimals than JPY allows (0)"),
        ("¥100.00", "more decimals than JPY allows (0)"),
        ("1.000 eur", "more decimals than EUR allows (2)"),
        ("0.49 usd", "below Stripe's minimum charge for USD ($0.50)"),
        ("0.49", "below Stripe's minimum charge for USD ($0.50)"),
        ("0.01", "below Stripe's minimum"),
        ("€0.49", "below Stripe's minimum charge for EUR (€0.50)"),
        ("£0.29", "below Stripe's minimum charge for GBP (£0.30)"),
        ("49 jpy", "below Stripe's minimum charge for JPY (¥50)"),
        ("3.99 hkd", "below Stripe's minimum charge for HKD (4.00 HKD)"),
        ("10,000.01", "above the limit of $10,000.00"),
        ("20000", "$20,000.00 is above the limit of $10,000.00"),
        ("1000001 jpy", "above the limit of ¥1,000,000"),
        ("99999999999999999999999999999999", "above the limit"),
        ("100 xyz", "`xyz` is not a currency connectbot knows"),
        ("XYZ 100", "`XYZ` is not a currency connectbot knows"),
        ("100 bgn", "doesn't charge in BGN"),
        ("100 kwd", "KWD has three decimals"),
        ("bhd 5", "BHD has three decimals"),
        ("100 dollars", "`dollars` is not a currency code"),
        ("100 us", "`us` is not a currency code"),
        ("$100 eur", "`$` means USD but the amount says EUR"),
        ("€100 usd", "`€` means EUR but the amount says USD"),
        ("£5 jpy", "`£` means GBP but the amount says JPY"),
        ("$€100", "several currency symbols"),
        ("100 eur usd", "several currencies"),
        ("100 200", "several numbers"),
        ("1 000", "several numbers"),
        ("100 eur 200", "several numbers"),
        ("(100)", "not part of an amount"),
        ("100/2", "not part of an amount"),
        ("100_000", "not part of an amount"),
        ("+100", "not part of an amount"),
        ("1" * 70, "too long"),
    ],
)
def test_parse_money_refuses(text: str, fragment: str) -> None:
    result = parse(text)
    assert isinstance(result, Refusal), result
    assert fragment in result.message


def test_parse_money_refuses_unsupported_default_currency() -> None:
    result = parse("100", default="kwd")
    assert isinstance(result, Refusal)
    assert "default currency" in result.message


def test_parse_money_max_amount_is_in_the_amounts_own_minor_units() -> None:
    assert parse("10,000.00 eur", max_amount=1_000_000) == Money(1_000_000, "eur")
    assert parse("1,000,000 jpy", max_amount=1_000_000) == Money(1_000_000, "jpy")
    assert isinstance(parse("1,000,001 jpy", max_amount=1_000_000), Refusal)


def test_parse_money_minimum_can_be_skipped_for_refunds() -> None:
    result = parse_money("0.10", default_currency="usd", max_amount=MAX, enforce_minimum=False)
    assert result == Money(10, "usd")
    zero = parse_money("0", default_currency="usd", max_amount=MAX, enforce_minimum=False)
    assert isinstance(zero, Refusal)


def test_messages_never_show_raw_cents() -> None:
    result = parse("20000")
    assert isinstance(result, Refusal)
    assert "2000000" not in result.message and "1000000" not in result.message


# --------------------------------------------------------------------------------------------
# Fee policy
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "percent", "fixed", "fixed_currency", "described"),
    [
        ("5%", "5", 0, "usd", "5%"),
        ("0.30", "0", 30, "usd", "$0.30"),
        ("5% + 0.30", "5", 30, "usd", "5% + $0.30"),
        ("2.9%+0.30", "2.9", 30, "usd", "2.9% + $0.30"),
        ("0%", "0", 0, "usd", "0%"),
        ("0", "0", 0, "usd", "0%"),
        ("10%", "10", 0, "usd", "10%"),
        ("99.99%", "99.99", 0, "usd", "99.99%"),
        ("2.50%", "2.50", 0, "usd", "2.5%"),
        ("5 %", "5", 0, "usd", "5%"),
        ("0.30 + 5%", "5", 30, "usd", "5% + $0.30"),
        ("1% + €0.25", "1", 25, "eur", "1% + €0.25"),
        ("1% + 0.25 eur", "1", 25, "eur", "1% + €0.25"),
        ("1% + 0.25 CHF", "1", 25, "chf", "1% + 0.25 CHF"),
        ("1,000.00", "0", 100000, "usd", "$1,000.00"),
    ],
)
def test_parse_fee_policy_accepts(
    text: str, percent: str, fixed: int, fixed_currency: str, described: str
) -> None:
    policy = parse_fee_policy(text, currency="usd")
    assert policy == FeePolicy(Decimal(percent), fixed, fixed_currency)
    assert describe_fee_policy(policy) == described


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter a fee"),
        ("100%", "below 100%"),
        ("150%", "below 100%"),
        ("-5%", "can't be negative"),
        ("−5%", "can't be negative"),
        ("5% + -0.30", "positive"),
        ("-0.30", "positive"),
        ("5.123%", "too many decimals"),
        ("0.305", "more decimals than USD allows"),
        ("garbage", "not an amount"),
        ("abc%", "not a percentage"),
        ("%", "not a percentage"),
        ("1e2%", "not a percentage"),
        ("NaN%", "not a percentage"),
        ("５%", "non-ASCII"),
        ("5% + 2%", "at most one percentage"),
        ("0.30 + 0.20", "at most one percentage and one fixed"),
        ("5% + 0.30 + 1", "is not a fee"),
        ("5% +", "is not a fee"),
        ("5% 0.30", "join a percentage and a fixed amount"),
        ("1e3", "exponent"),
        ("x" * 80, "too long"),
    ],
)
def test_parse_fee_policy_refuses(text: str, fragment: str) -> None:
    result = parse_fee_policy(text, currency="usd")
    assert isinstance(result, Refusal), result
    assert fragment in result.message


def test_make_fee_policy() -> None:
    assert make_fee_policy("10", 0, "USD") == FeePolicy(Decimal(10), 0, "usd")
    assert make_fee_policy(Decimal("2.9"), 30, "usd") == FeePolicy(Decimal("2.9"), 30, "usd")
    for bad in ("abc", "100", "-1", "1.234", "NaN", "Infinity"):
        assert isinstance(make_fee_policy(bad, 0, "usd"), Refusal), bad
    assert isinstance(make_fee_policy("5", -1, "usd"), Refusal)
    assert isinstance(make_fee_policy("5", 0, "xyz"), Refusal)


@pytest.mark.parametrize(
    ("amount", "policy", "fee"),
    [
        (Money(10000, "usd"), FeePolicy(Decimal(10), 0, "usd"), 1000),
        (Money(10000, "usd"), FeePolicy(Decimal(5), 30, "usd"), 530),
        (Money(10000, "usd"), FeePolicy(Decimal("2.9"), 30, "usd"), 320),
        (Money(1050, "usd"), FeePolicy(Decimal(5), 0, "usd"), 53),  # 52.5 rounds up
        (Money(1030, "usd"), FeePolicy(Decimal(5), 0, "usd"), 52),  # 51.5 rounds up
        (Money(1010, "usd"), FeePolicy(Decimal(5), 0, "usd"), 51),  # 50.5 rounds up
        (Money(1009, "usd"), FeePolicy(Decimal(5), 0, "usd"), 50),  # 50.45 rounds down
        (Money(50, "usd"), FeePolicy(Decimal(0), 0, "usd"), 0),
        (Money(10000, "jpy"), FeePolicy(Decimal("3.6"), 0, "usd"), 360),  # fixed 0: any currency
        (Money(12345, "jpy"), FeePolicy(Decimal("2.5"), 0, "jpy"), 309),  # 308.625
        (Money(10000, "eur"), FeePolicy(Decimal(10), 25, "eur"), 1025),
        (Money(99_999_999, "usd"), FeePolicy(Decimal("2.9"), 30, "usd"), 2_900_030),  # 2900029.971
        (Money(1_234_567, "usd"), FeePolicy(Decimal("0.5"), 0, "usd"), 6173),  # 6172.835
    ],
)
def test_application_fee(amount: Money, policy: FeePolicy, fee: int) -> None:
    assert application_fee(amount, policy) == fee


@pytest.mark.parametrize(
    ("amount", "policy", "fragment"),
    [
        (Money(10000, "eur"), FeePolicy(Decimal(5), 30, "usd"), "fixed fee is in USD"),
        (Money(50, "usd"), FeePolicy(Decimal(0), 50, "usd"), "would not be less than"),
        (Money(50, "usd"), FeePolicy(Decimal(50), 30, "usd"), "would not be less than"),
        (Money(100, "usd"), FeePolicy(Decimal("99.5"), 0, "usd"), "would not be less than"),
    ],
)
def test_application_fee_refuses(amount: Money, policy: FeePolicy, fragment: str) -> None:
    result = application_fee(amount, policy)
    assert isinstance(result, Refusal)
    assert fragment in result.message


def test_vendor_net_and_split() -> None:
    assert vendor_net(10000, 1000) == 9000
    assert describe_fee_split(Money(10000, "eur"), 1000) == (
        "platform fee €10.00 · vendor receives €90.00 before Stripe fees"
    )
    with pytest.raises(ValueError):
        vendor_net(100, 101)
    with pytest.raises(ValueError):
        vendor_net(100, -1)


# --------------------------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "charged", "refunded", "expected"),
    [
        (1000, 10000, 10000, 1000),
        (1000, 10000, 0, 0),
        (1000, 10000, 5000, 500),
        (530, 10000, 3333, 177),  # 176.649 -> 177
        (1, 3, 1, 0),  # 0.333 -> 0
        (1, 2, 1, 1),  # 0.5 rounds up
        (0, 10000, 5000, 0),
    ],
)
def test_fee_refund(fee: int, charged: int, refunded: int, expected: int) -> None:
    assert refund_fee(fee, charged, 0, refunded, 0) == expected


def test_fee_refund_partial_then_rest_sums_to_fee() -> None:
    first = refund_fee(530, 10000, 0, 3333, 0)
    second = refund_fee(530, 10000, 3333, 6667, first)
    assert (first, second) == (177, 353)
    assert first + second == 530


def test_fee_refund_for_tolerates_other_rounding_before() -> None:
    # Stripe (or an older rule) refunded 180 of the fee for the first part: the rest still
    # brings the total to exactly the fee.
    assert refund_fee(530, 10000, 3333, 6667, 180) == 350


@pytest.mark.parametrize(
    "args",
    [
        (100, 0, 0, 0, 0),  # charged 0
        (100, 1000, 0, 1001, 0),  # beyond the charge
        (100, 1000, 900, 200, 0),  # beyond what remains
        (100, 1000, 0, -1, 0),
        (100, 1000, 0, 10, 101),  # more fee refunded than the fee
    ],
)
def test_fee_refund_for_rejects_impossible_figures(args: tuple[int, int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        refund_fee(*args)


@pytest.mark.parametrize(
    ("text", "already", "expected"),
    [
        (None, 0, 10000),
        ("", 2500, 7500),
        ("25", 0, 2500),
        ("25.00 usd", 0, 2500),
        ("0.10", 0, 10),  # Stripe's minimum charge doesn't apply to refunds
        ("75", 2500, 7500),
    ],
)
def test_resolve_refund_amount(text: str | None, already: int, expected: int) -> None:
    charged = Money(10000, "usd")
    assert resolve_refund_amount(text, charged=charged, already_refunded=already) == expected


@pytest.mark.parametrize(
    ("text", "already", "fragment"),
    [
        ("75.01", 2500, "more than what remains to refund ($75.00)"),
        ("100.01", 0, "more than what remains to refund ($100.00)"),
        (None, 10000, "already been fully refunded"),
        ("25 eur", 0, "The charge is in USD, not EUR"),
        ("0", 0, "more than zero"),
        ("abc", 0, "not an amount"),
    ],
)
def test_resolve_refund_amount_refuses(text: str | None, already: int, fragment: str) -> None:
    result = resolve_refund_amount(text, charged=Money(10000, "usd"), already_refunded=already)
    assert isinstance(result, Refusal)
    assert fragment in result.message


def test_resolve_refund_amount_reads_in_the_charges_currency() -> None:
    charged = Money(10000, "jpy")
    assert resolve_refund_amount("500", charged=charged, already_refunded=0) == 500
    decimals = resolve_refund_amount("5.5", charged=charged, already_refunded=0)
    assert isinstance(decimals, Refusal)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

FAST = settings(max_examples=250, deadline=None)

supported = st.sampled_from(sorted(SUPPORTED_CURRENCIES))
codes = st.sampled_from(sorted(STRIPE_CURRENCIES | {"xyz", "us", "dollars"}))


@st.composite
def near_amounts(draw: st.DrawFn) -> str:
    """Text that looks like an amount: digits, separators, signs, symbols, codes, junk."""
    digits = draw(st.text(alphabet="0123456789", min_size=0, max_size=12))
    pieces = [
        draw(st.sampled_from(["", "", "-", "+", "$", "€", "£", "¥", "−"])),
        digits,
        draw(st.sampled_from(["", "", ".", ",", ".5", ".05", ".001", ",000", ",00", "e3", "."])),
        draw(st.text(alphabet="0123456789.,", max_size=4)),
        draw(st.sampled_from(["", "", " ", "  "])),
        draw(st.one_of(st.just(""), codes, codes.map(str.upper))),
        draw(st.sampled_from(["", "", " 100", " NaN", " ١", "%", "\u00a0"])),
    ]
    if draw(st.booleans()):
        code = draw(codes)
        pieces = [code, draw(st.sampled_from(["", " "])), *pieces]
    return "".join(pieces)


amount_texts = st.one_of(st.text(), near_amounts())


@FAST
@given(text=amount_texts, default=st.one_of(supported, codes), max_amount=st.integers(-5, 10**9))
def test_parse_money_never_crashes(text: str, default: str, max_amount: int) -> None:
    result = parse_money(text, default_currency=default, max_amount=max_amount)
    if isinstance(result, Refusal):
        assert result.message.strip()
    else:
        assert isinstance(result, Money)
        assert 0 < result.amount <= max_amount
        assert result.currency in SUPPORTED_CURRENCIES
        assert result.amount >= MINIMUM_CHARGE[result.currency]


@FAST
@given(text=st.one_of(st.text(), near_amounts(), near_amounts().map(lambda t: t + "%")))
def test_parse_fee_policy_never_crashes(text: str) -> None:
    result = parse_fee_policy(text, currency="usd")
    if isinstance(result, Refusal):
        assert result.message.strip()
    else:
        assert Decimal(0) <= result.percent < Decimal(100)
        assert result.fixed >= 0


@st.composite
def valid_money(draw: st.DrawFn) -> Money:
    currency = draw(supported)
    return Money(draw(st.integers(MINIMUM_CHARGE[currency], 10**12)), currency)


@FAST
@given(money=valid_money(), default=supported)
def test_format_then_parse_round_trips(money: Money, default: str) -> None:
    text = format_money(money)
    assert parse_money(text, default_currency=default, max_amount=10**12) == money


@FAST
@given(money=valid_money(), dotted=st.booleans())
def test_a_decimal_comma_is_told_the_same_amount_written_with_a_dot(
    money: Money, dotted: bool
) -> None:
    """`100,00` (or `1.234,50`) never gets a suggestion a hundred times too big: the amount
    it suggests is the one the person meant."""
    if currency_exponent(money.currency) != 2:
        return
    whole, cents = divmod(money.amount, 100)
    grouped = f"{whole:,}".replace(",", ".") if dotted else str(whole)
    typed = f"{grouped},{cents:02d}"
    result = parse_money(typed, default_currency=money.currency, max_amount=10**12)
    assert isinstance(result, Refusal), (typed, result)
    assert "a comma separates thousands" in result.message
    suggested = result.message.rsplit("`", 2)[-2]
    assert parse_money(suggested, default_currency=money.currency, max_amount=10**12) == money


@FAST
@given(money=valid_money())
def test_plain_number_parses_in_default_currency(money: Money) -> None:
    text = format_money(money)
    number = text.lstrip("$€£¥").split(" ")[0].replace(",", "")
    parsed = parse_money(number, default_currency=money.currency, max_amount=10**12)
    assert parsed == money


policies = st.builds(
    FeePolicy,
    percent=st.decimals(min_value=0, max_value=Decimal("99.99"), places=2),
    fixed=st.integers(0, 10_000),
    fixed_currency=st.sampled_from(["usd", "eur", "jpy"]),
)


@FAST
@given(money=valid_money(), policy=policies)
def test_application_fee_is_below_the_amount_or_refused(money: Money, policy: FeePolicy) -> None:
    fee = application_fee(money, policy)
    if isinstance(fee, Refusal):
        assert fee.message.strip()
    else:
        assert 0 <= fee < money.amount
        assert vendor_net(money.amount, fee) > 0


@FAST
@given(money=valid_money(), policy=policies)
def test_application_fee_is_the_percent_rounded_half_up_plus_the_fixed_part(
    money: Money, policy: FeePolicy
) -> None:
    """Against exact rational arithmetic, independent of the Decimal code under test."""
    fee = application_fee(money, policy)
    if isinstance(fee, Refusal):
        return
    exact = Fraction(money.amount) * Fraction(policy.percent) / 100
    assert fee == math.floor(exact + Fraction(1, 2)) + policy.fixed


@FAST
@given(policy=policies)
def test_describe_fee_policy_parses_back(policy: FeePolicy) -> None:
    assert parse_fee_policy(describe_fee_policy(policy), currency=policy.fixed_currency) in (
        policy,
        # `0%` with a fixed part of zero is described without its currency.
        FeePolicy(policy.percent, 0, policy.fixed_currency),
    )


@st.composite
def refund_sequences(draw: st.DrawFn) -> tuple[int, int, list[int], bool]:
    charged = draw(st.integers(1, 10**9))
    fee = draw(st.integers(0, charged - 1)) if charged > 1 else 0
    parts: list[int] = []
    remaining = charged
    for _ in range(draw(st.integers(0, 8))):
        if remaining == 0:
            break
        part = draw(st.integers(1, remaining))
        parts.append(part)
        remaining -= part
    finish = draw(st.booleans())
    if finish and remaining:
        parts.append(remaining)
    return fee, charged, parts, sum(parts) == charged


@FAST
@given(case=refund_sequences())
def test_fee_refunds_never_exceed_the_fee(case: tuple[int, int, list[int], bool]) -> None:
    fee, charged, parts, complete = case
    refunded = fee_refunded = 0
    for part in parts:
        piece = refund_fee(fee, charged, refunded, part, fee_refunded)
        assert 0 <= piece
        refunded += part
        fee_refunded += piece
        assert fee_refunded <= fee
    if complete:
        assert fee_refunded == fee


def refund_fee(
    fee: int, charged: int, already_refunded: int, refund_amount: int, fee_already_refunded: int
) -> int:
    """`fee_refund_for` with the figures in the order the tables above list them."""
    return fee_refund_for(
        fee=fee,
        charged=charged,
        already_refunded=already_refunded,
        refund_amount=refund_amount,
        fee_already_refunded=fee_already_refunded,
    )


# The fast path for plain amounts
# --------------------------------------------------------------------------------------------

words = st.one_of(supported, supported, codes, st.sampled_from(["nan", "inf", "usdd", "eu"]))


@st.composite
def plain_amounts(draw: st.DrawFn) -> str:
    """Text shaped like what people usually type (`$1,000.50`, `EUR 100`, `100eur`), with
    near misses: other codes and cases, several words, other spaces, decimals and groupings."""
    spaces = st.sampled_from(["", "", "", " ", " ", "  ", "\t", "\u00a0"])
    whole = draw(st.integers(0, 10**15))
    number = draw(st.sampled_from([f"{whole}", f"{whole:,}", f"0{whole}"]))
    number += draw(st.sampled_from(["", "", ".", ".5", ".05", ".50", ".001", ".0000"]))
    word = draw(st.one_of(st.just(""), words, words.map(str.upper), words.map(str.title)))
    symbol = draw(st.sampled_from(["", "", "", "$", "€", "£", "¥"]))
    pieces = [symbol, draw(spaces)]
    if draw(st.booleans()):
        pieces += [word, draw(spaces), number]
    else:
        pieces += [number, draw(spaces), word]
    if draw(st.integers(0, 9)) == 0:
        pieces.append(draw(st.sampled_from([" usd", "$", " 1", "e3", "%"])))
    return draw(spaces) + "".join(pieces) + draw(spaces)


@settings(max_examples=1000, deadline=None)
@given(text=st.one_of(plain_amounts(), amount_texts), default=st.one_of(supported, codes))
def test_the_fast_path_agrees_with_the_general_path(text: str, default: str) -> None:
    """Wherever the fast path reads an amount, the general path reads the very same Money."""
    fast = read_plain_amount(text, default)
    if fast is not None:
        assert read_any_amount(text, default) == fast, text


@FAST
@given(money=valid_money(), default=supported)
def test_the_fast_path_reads_every_formatted_amount(money: Money, default: str) -> None:
    """What connectbot writes (`$1,000.50`, `1,234.50 CHF`) is plain: the fast path reads it,
    and reads what the general path reads."""
    text = format_money(money)
    assert read_plain_amount(text, default) == money
    assert read_any_amount(text, default) == money


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("100", Money(10000, "usd")),
        ("1,000.50", Money(100050, "usd")),
        ("€100", Money(10000, "eur")),
        ("100 eur", Money(10000, "eur")),
        ("EUR 100", Money(10000, "eur")),
        ("0.49 usd", Money(49, "usd")),
        ("$ 5", Money(500, "usd")),
        ("  ¥500jpy ", Money(500, "jpy")),
        ("1e3", None),
        ("١٠٠", None),
        ("abc", None),
        ("100 nan", None),
        ("$100 eur", None),
        ("usd 100 usd", None),
        ("100.5 jpy", None),
        ("100.001", None),
        ("1,00", None),
        ("100\u00a0eur", None),
    ],
)
def test_the_fast_path_reads_plain_amounts_and_leaves_the_rest(
    text: str, fast: Money | None
) -> None:
    assert read_plain_amount(text, "usd") == fast
    if fast is not None:
        assert read_any_amount(text, "usd") == fast
