"""Table tests and properties for bot.parsing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.catalog import BY_NAME
from bot.money import FeePolicy, Money
from bot.parsing import (
    AddCustomerArgs,
    ChargeArgs,
    ConnectVendorArgs,
    FeesArgs,
    Period,
    RefundArgs,
    ShareCustomerArgs,
    VendorChannelArgs,
    VendorFeeArgs,
    parse_add_customer,
    parse_channel_mention,
    parse_charge_command,
    parse_connect_vendor_command,
    parse_email,
    parse_fees_command,
    parse_period,
    parse_refund_command,
    parse_share_customer,
    parse_user_mention,
    parse_vendor_channel_command,
    parse_vendor_disconnect_command,
    parse_vendor_fee_command,
    split_args,
    unescape_slack,
)
from bot.refusal import Refusal

TODAY = date(2025, 3, 5)  # a Wednesday
VENDOR = "<@U123ABC|jane>"
MAX = 1_000_000


def refused(result: object, fragment: str) -> None:
    assert isinstance(result, Refusal), result
    assert result.message.strip()
    assert fragment in result.message, result.message


# --------------------------------------------------------------------------------------------
# split_args
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("", []),
        ("   ", []),
        ("a b  c", ["a", "b", "c"]),
        ("\ta\nb ", ["a", "b"]),
        ("<@U1|Jane Doe> 100", ["<@U1|Jane Doe>", "100"]),
        ("<#C1|ops room> x", ["<#C1|ops room>", "x"]),
        ('<@U1> 100 "coffee and cake"', ["<@U1>", "100", "coffee and cake"]),
        ("<@U1> 100 “smart quotes here”", ["<@U1>", "100", "smart quotes here"]),
        ('a "unclosed quote here', ["a", "unclosed quote here"]),
        ('a "" b', ["a", "", "b"]),
        ("a <b c", ["a", "<b", "c"]),
        ("don't split", ["don't", "split"]),
        ('say"hi there"', ['say"hi', 'there"']),
        ("<mailto:j@x.com|j@x.com> n", ["<mailto:j@x.com|j@x.com>", "n"]),
    ],
)
def test_split_args(text: str, args: list[str]) -> None:
    assert split_args(text) == args


def test_unescape_slack() -> None:
    assert unescape_slack("a &lt;b&gt; &amp;amp;") == "a <b> &amp;"


# --------------------------------------------------------------------------------------------
# Mentions and emails
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "user_id"),
    [
        ("<@U123ABC|jane>", "U123ABC"),
        ("<@U123ABC>", "U123ABC"),
        ("<@W0A1B2C3|enterprise user>", "W0A1B2C3"),
        (" <@U123ABC|jane> ", "U123ABC"),
        ("<@U12|Jane Doe>", "U12"),
    ],
)
def test_parse_user_mention(token: str, user_id: str) -> None:
    assert parse_user_mention(token) == user_id


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        ("@jane", "pick the person from the @ list"),
        ("", "Mention a person"),
        ("<@u123abc>", "isn't a mention"),
        ("<@U1>", "isn't a mention"),
        ("<@B123ABC>", "isn't a mention"),
        ("<#C123ABC|ops>", "is a channel"),
        ("U123ABC", "isn't a mention"),
        ("<@U123ABC", "isn't a mention"),
        ("<@U123ABC|jane>x", "isn't a mention"),
        ("<!here>", "isn't a mention"),
    ],
)
def test_parse_user_mention_refuses(token: str, fragment: str) -> None:
    refused(parse_user_mention(token), fragment)


@pytest.mark.parametrize(
    ("token", "channel_id"),
    [("<#C123|name>", "C123"), ("<#C0ABCDEF>", "C0ABCDEF"), ("<#G123ABC|private>", "G123ABC")],
)
def test_parse_channel_mention(token: str, channel_id: str) -> None:
    assert parse_channel_mention(token) == channel_id


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        ("#payments", "pick it from the # list"),
        ("", "Mention a channel"),
        ("<@U123ABC>", "isn't a channel"),
        ("<#c123>", "isn't a channel"),
        ("C123", "isn't a channel"),
    ],
)
def test_parse_channel_mention_refuses(token: str, fragment: str) -> None:
    refused(parse_channel_mention(token), fragment)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("jane@example.com", "jane@example.com"),
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  jane@example.com ", "jane@example.com"),
        ("<mailto:jane@example.com|jane@example.com>", "jane@example.com"),
        ("<mailto:Jane@Example.com>", "jane@example.com"),
        ("jane+vip@mail.example.co.uk", "jane+vip@mail.example.co.uk"),
        ("o'brien@example-shop.com", "o'brien@example-shop.com"),
    ],
)
def test_parse_email(text: str, email: str) -> None:
    assert parse_email(text) == email


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter an email"),
        ("jane", "exactly one `@`"),
        ("jane@@example.com", "exactly one `@`"),
        ("a@b@example.com", "exactly one `@`"),
        ("jane@example", "needs a dot"),
        ("jane @example.com", "contains a space"),
        ("@example.com", "before the `@`"),
        ("ja..ne@example.com", "before the `@`"),
        ("jane<x>@example.com", "before the `@`"),
        ("jane@.com", "invalid domain"),
        ("jane@example.", "invalid domain"),
        ("jane@exa_mple.com", "invalid domain"),
        ("jane@-example.com", "invalid domain"),
        ("jöne@example.com", "non-ASCII"),
        ("j@" + "a" * 250 + ".com", "longer than 254"),
        ("<mailto:|>", "Enter an email"),
    ],
)
def test_parse_email_refuses(text: str, fragment: str) -> None:
    refused(parse_email(text), fragment)


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("", TODAY, TODAY, "today (2025-03-05)"),
        ("today", TODAY, TODAY, "today (2025-03-05)"),
        ("TODAY", TODAY, TODAY, "today (2025-03-05)"),
        ("week", date(2025, 3, 3), TODAY, "this week (2025-03-03..2025-03-05)"),
        ("month", date(2025, 3, 1), TODAY, "this month (2025-03-01..2025-03-05)"),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28), "February 2025"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
        ("2025-03", date(2025, 3, 1), date(2025, 3, 31), "March 2025"),
        ("2024-12-25", date(2024, 12, 25), date(2024, 12, 25), "2024-12-25"),
        ("yesterday", date(2025, 3, 4), date(2025, 3, 4), "yesterday (2025-03-04)"),
        ("Yesterday", date(2025, 3, 4), date(2025, 3, 4), "yesterday (2025-03-04)"),
        ("last-week", date(2025, 2, 24), date(2025, 3, 2), "last week (2025-02-24..2025-03-02)"),
        ("LAST-WEEK", date(2025, 2, 24), date(2025, 3, 2), "last week (2025-02-24..2025-03-02)"),
        ("last-month", date(2025, 2, 1), date(2025, 2, 28), "February 2025"),
        ("2025-01-01..2025-01-31", date(2025, 1, 1), date(2025, 1, 31), "2025-01-01..2025-01-31"),
        ("2025-03-05..2025-03-05", TODAY, TODAY, "2025-03-05..2025-03-05"),
        ("2025-03-01..2025-12-31", date(2025, 3, 1), date(2025, 12, 31), "2025-03-01..2025-12-31"),
    ],
)
def test_parse_period(text: str, start: date, end: date, label: str) -> None:
    assert parse_period(text, today=TODAY) == Period(start, end, label)


def test_week_on_a_monday_is_one_day() -> None:
    monday = date(2025, 3, 3)
    period = parse_period("week", today=monday)
    assert isinstance(period, Period)
    assert (period.start, period.end) == (monday, monday)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("tomorrow", "isn't a period"),
        ("last_week", "isn't a period"),
        ("lastmonth", "isn't a period"),
        ("2025", "isn't a period"),
        ("2025-13", "isn't a real month"),
        ("2025-00", "isn't a real month"),
        ("0000-01", "isn't a real month"),
        ("2025-02-30", "isn't a real date"),
        ("2025-02-29", "isn't a real date"),
        ("2025-01-31..2025-02-30", "isn't a real date"),
        ("2025-02-10..2025-02-01", "ends before it starts"),
        ("2025-04", "starts in the future"),
        ("2025-03-06", "starts in the future"),
        ("2026-01-01..2026-01-31", "starts in the future"),
        ("2025-1-5", "isn't a period"),
        ("2025-01-01 ..2025-01-31", "isn't a period"),
        ("２０２５-01", "isn't a period"),
        ("20250101", "isn't a period"),
    ],
)
def test_parse_period_refuses(text: str, fragment: str) -> None:
    refused(parse_period(text, today=TODAY), fragment)


@pytest.mark.parametrize(
    ("today", "text", "start", "end"),
    [
        (date(2025, 1, 1), "yesterday", date(2024, 12, 31), date(2024, 12, 31)),
        (date(2025, 1, 15), "last-month", date(2024, 12, 1), date(2024, 12, 31)),
        (date(2024, 3, 31), "last-month", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 3, 3), "last-week", date(2025, 2, 24), date(2025, 3, 2)),  # a Monday
        (date(2025, 3, 9), "last-week", date(2025, 2, 24), date(2025, 3, 2)),  # a Sunday
        (date(2025, 1, 2), "last-week", date(2024, 12, 23), date(2024, 12, 29)),
    ],
)
def test_relative_periods_at_boundaries(today: date, text: str, start: date, end: date) -> None:
    period = parse_period(text, today=today)
    assert isinstance(period, Period)
    assert (period.start, period.end) == (start, end)


def test_the_refusal_and_the_usage_name_every_accepted_period() -> None:
    """Each form the usage line lists parses, and the refusal names each keyword."""
    usage = BY_NAME["/fees"].usage_hint
    forms = usage.split("]")[0].lstrip("[").split("|")
    assert {"today", "yesterday", "week", "last-week", "month", "last-month"} <= set(forms)
    examples = {"YYYY-MM": "2025-02", "YYYY-MM-DD": "2025-02-14"}
    examples["YYYY-MM-DD..YYYY-MM-DD"] = "2025-02-01..2025-02-14"
    refusal = parse_period("fortnight", today=TODAY)
    assert isinstance(refusal, Refusal)
    for form in forms:
        assert isinstance(parse_period(examples.get(form, form), today=TODAY), Period), form
        if form not in examples:
            assert f"`{form}`" in refusal.message
    assert "2025-03-14" in refusal.message  # a single day is named too


# --------------------------------------------------------------------------------------------
# /charge
# --------------------------------------------------------------------------------------------


def charge(text: str, default: str = "usd") -> ChargeArgs | Refusal:
    return parse_charge_command(text, default_currency=default, max_amount=MAX)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{VENDOR} 100.00", ChargeArgs("U123ABC", Money(10000, "usd"), None, None)),
        (f"{VENDOR} 100", ChargeArgs("U123ABC", Money(10000, "usd"), None, None)),
        (f"{VENDOR} 1,000.50", ChargeArgs("U123ABC", Money(100050, "usd"), None, None)),
        (f"{VENDOR} $100", ChargeArgs("U123ABC", Money(10000, "usd"), None, None)),
        (f"{VENDOR} €100", ChargeArgs("U123ABC", Money(10000, "eur"), None, None)),
        (f"{VENDOR} 100.00 eur", ChargeArgs("U123ABC", Money(10000, "eur"), None, None)),
        (f"{VENDOR} EUR 100", ChargeArgs("U123ABC", Money(10000, "eur"), None, None)),
        (f"{VENDOR} 100eur", ChargeArgs("U123ABC", Money(10000, "eur"), None, None)),
        (f"{VENDOR} € 100", ChargeArgs("U123ABC", Money(10000, "eur"), None, None)),
        (f"{VENDOR} ¥500", ChargeArgs("U123ABC", Money(500, "jpy"), None, None)),
        (
            f"{VENDOR} 100.00 jane@example.com",
            ChargeArgs("U123ABC", Money(10000, "usd"), "jane@example.com", None),
        ),
        (
            f"{VENDOR} 100.00 eur <mailto:Jane@Example.com|Jane@Example.com> Lunch for two",
            ChargeArgs("U123ABC", Money(10000, "eur"), "jane@example.com", "Lunch for two"),
        ),
        (
            f'{VENDOR} 100 jane@example.com "Order #42 &amp; delivery"',
            ChargeArgs("U123ABC", Money(10000, "usd"), "jane@example.com", "Order #42 & delivery"),
        ),
        (
            f"{VENDOR} 100 for lunch",
            ChargeArgs("U123ABC", Money(10000, "usd"), None, "for lunch"),
        ),
        (
            f"{VENDOR} 100 all day pass",
            ChargeArgs("U123ABC", Money(10000, "usd"), None, "all day pass"),
        ),
        (
            f"{VENDOR} 100 cad all day pass",
            ChargeArgs("U123ABC", Money(10000, "cad"), None, "all day pass"),
        ),
        (
            f"{VENDOR} 100 200 widgets",
            ChargeArgs("U123ABC", Money(10000, "usd"), None, "200 widgets"),
        ),
        ("<@W0A1B2C3> 50", ChargeArgs("W0A1B2C3", Money(50, "jpy"), None, None)),
    ],
)
def test_parse_charge_command(text: str, expected: ChargeArgs) -> None:
    default = "jpy" if text.startswith("<@W") else "usd"
    assert charge(text, default) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Say who to charge"),
        ("100.00", "Start with the vendor"),
        ("@jane 100", "pick the person from the @ list"),
        ("100 <@U123ABC|jane>", "Start with the vendor"),
        (VENDOR, "Add the amount"),
        (f"{VENDOR} 0", "more than zero"),
        (f"{VENDOR} -100", "positive"),
        (f"{VENDOR} abc", "not an amount"),
        (f"{VENDOR} 1e3", "exponent"),
        (f"{VENDOR} NaN", "not a number"),
        (f"{VENDOR} Infinity", "not a number"),
        (f"{VENDOR} ١٠٠", "digits 0-9"),
        (f"{VENDOR} １００", "digits 0-9"),
        (f"{VENDOR} 1,00", "write `1,00` as `1.00`"),
        (f"{VENDOR} 100,00", "a comma separates thousands (`1,000.50`)"),
        (f"{VENDOR} 100,00 jane@example.com", "write `100,00` as `100.00`"),
        (f"{VENDOR} 100 xyz jane@example.com", "`xyz` is not a currency connectbot knows"),
        (f"{VENDOR} 100 all jane@example.com", "doesn't charge in ALL"),
        (f"{VENDOR} 100 lunch jane@example.com", "a description goes after the email"),
        (f"{VENDOR} 100 eur xyz jane@example.com", "`xyz` is not a currency connectbot knows"),
        (f"{VENDOR} 100.001 usd", "more decimals than USD allows (2)"),
        (f"{VENDOR} 100.5 jpy", "more decimals than JPY allows (0)"),
        (f"{VENDOR} 0.49 usd", "below Stripe's minimum charge for USD"),
        (f"{VENDOR} 10000.01", "above the limit of $10,000.00"),
        (f"{VENDOR} 100 xyz", None),  # an unknown word is description, see below
        (f"{VENDOR} 100 BGN", "doesn't charge in BGN"),
        (f"{VENDOR} 100 kwd", "KWD has three decimals"),
        (f"{VENDOR} ALL 100", "doesn't charge in ALL"),
        (f"{VENDOR} $100 eur", "`$` means USD but the amount says EUR"),
        (f"{VENDOR} 100 jane@example", "needs a dot"),
        (f"{VENDOR} 100 jane@@example.com", "exactly one `@`"),
        (f"{VENDOR} 100 " + "x" * 501, "longer than 500"),
    ],
)
def test_parse_charge_command_refuses(text: str, fragment: str | None) -> None:
    result = charge(text)
    if fragment is None:
        assert isinstance(result, ChargeArgs)
        assert result.description == "xyz"
    else:
        refused(result, fragment)


# --------------------------------------------------------------------------------------------
# /refund
# --------------------------------------------------------------------------------------------


def refund(text: str) -> RefundArgs | Refusal:
    return parse_refund_command(text, default_currency="usd", max_amount=MAX)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pi_3NxYz12345", RefundArgs("pi_3NxYz12345", None, None)),
        ("cb_ch_01HZX5V3K8M2", RefundArgs("cb_ch_01HZX5V3K8M2", None, None)),
        (
            "cb_ch_01J0ABCDEFGHJKMNPQRSTVWXYZ 25.00",
            RefundArgs("cb_ch_01J0ABCDEFGHJKMNPQRSTVWXYZ", Money(2500, "usd"), "25.00"),
        ),
        ("pi_3NxYz12345 0.10", RefundArgs("pi_3NxYz12345", Money(10, "usd"), "0.10")),
        ("pi_3NxYz12345 EUR 5", RefundArgs("pi_3NxYz12345", Money(500, "eur"), "EUR 5")),
        ("pi_3NxYz12345 €5", RefundArgs("pi_3NxYz12345", Money(500, "eur"), "€5")),
    ],
)
def test_parse_refund_command(text: str, expected: RefundArgs) -> None:
    assert refund(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Say which charge"),
        ("ch_123", "isn't a charge reference"),
        ("pi_", "isn't a charge reference"),
        ("pi_abc", "isn't a charge reference"),
        ("cb_ch_short", "isn't a charge reference"),
        ("100 pi_3NxYz12345", "isn't a charge reference"),
        ("pi_3NxYz12345 0", "more than zero"),
        ("pi_3NxYz12345 -5", "positive"),
        ("pi_3NxYz12345 abc", "not an amount"),
        ("pi_3NxYz12345 10.001", "more decimals"),
        ("pi_3NxYz12345 10001", "above the limit"),
        ("pi_3NxYz12345 5 10", "several numbers"),
    ],
)
def test_parse_refund_command_refuses(text: str, fragment: str) -> None:
    refused(refund(text), fragment)


# --------------------------------------------------------------------------------------------
# /vendors fee | channel | disconnect, /connect-vendor
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{VENDOR} 5% + 0.30", VendorFeeArgs("U123ABC", FeePolicy(Decimal(5), 30, "usd"))),
        (f"fee {VENDOR} 5%", VendorFeeArgs("U123ABC", FeePolicy(Decimal(5), 0, "usd"))),
        (f"{VENDOR} 0.30", VendorFeeArgs("U123ABC", FeePolicy(Decimal(0), 30, "usd"))),
        (f"{VENDOR} 2.9%+0.30", VendorFeeArgs("U123ABC", FeePolicy(Decimal("2.9"), 30, "usd"))),
        (f"{VENDOR} default", VendorFeeArgs("U123ABC", None)),
    ],
)
def test_parse_vendor_fee_command(text: str, expected: VendorFeeArgs) -> None:
    assert parse_vendor_fee_command(text, currency="usd") == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Mention the vendor"),
        ("fee", "Mention the vendor"),
        ("5%", "isn't a mention"),
        (VENDOR, "Add the fee"),
        (f"{VENDOR} 100%", "below 100%"),
        (f"{VENDOR} -5%", "can't be negative"),
        (f"{VENDOR} lots", "not an amount"),
        (f"{VENDOR} 5.555%", "too many decimals"),
    ],
)
def test_parse_vendor_fee_command_refuses(text: str, fragment: str) -> None:
    refused(parse_vendor_fee_command(text, currency="usd"), fragment)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{VENDOR} <#C0PAY|payments>", VendorChannelArgs("U123ABC", "C0PAY")),
        (f"channel {VENDOR} <#C0PAY>", VendorChannelArgs("U123ABC", "C0PAY")),
        (f"{VENDOR} default", VendorChannelArgs("U123ABC", None)),
    ],
)
def test_parse_vendor_channel_command(text: str, expected: VendorChannelArgs) -> None:
    assert parse_vendor_channel_command(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Mention the vendor"),
        (VENDOR, "Add the channel"),
        (f"{VENDOR} #payments", "pick it from the # list"),
        (f"{VENDOR} <#C0PAY> extra", "Unexpected"),
        ("<#C0PAY> <@U123ABC>", "is a channel"),
    ],
)
def test_parse_vendor_channel_command_refuses(text: str, fragment: str) -> None:
    refused(parse_vendor_channel_command(text), fragment)


def test_parse_vendor_disconnect_command() -> None:
    assert parse_vendor_disconnect_command(VENDOR) == "U123ABC"
    assert parse_vendor_disconnect_command(f"disconnect {VENDOR}") == "U123ABC"
    refused(parse_vendor_disconnect_command(""), "exactly one vendor")
    refused(parse_vendor_disconnect_command(f"{VENDOR} {VENDOR}"), "exactly one vendor")
    refused(parse_vendor_disconnect_command("@jane"), "pick the person")


def test_parse_connect_vendor_command() -> None:
    assert parse_connect_vendor_command("") == ConnectVendorArgs(None)
    assert parse_connect_vendor_command(VENDOR) == ConnectVendorArgs("U123ABC")
    refused(parse_connect_vendor_command(f"{VENDOR} <@U999>"), "Mention one vendor")
    refused(parse_connect_vendor_command("jane"), "isn't a mention")


# --------------------------------------------------------------------------------------------
# /fees
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "vendor"),
    [
        ("", TODAY, TODAY, None),
        ("week", date(2025, 3, 3), TODAY, None),
        (f"month {VENDOR}", date(2025, 3, 1), TODAY, "U123ABC"),
        (f"{VENDOR} 2025-02", date(2025, 2, 1), date(2025, 2, 28), "U123ABC"),
        (VENDOR, TODAY, TODAY, "U123ABC"),
        ("2025-01-01..2025-01-31", date(2025, 1, 1), date(2025, 1, 31), None),
    ],
)
def test_parse_fees_command(text: str, start: date, end: date, vendor: str | None) -> None:
    result = parse_fees_command(text, today=TODAY)
    assert isinstance(result, FeesArgs)
    assert (result.period.start, result.period.end, result.vendor_user_id) == (start, end, vendor)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("week month", "Give one period"),
        (f"{VENDOR} <@U999ZZZ>", "at most one vendor"),
        ("@jane", "pick the person"),
        ("fortnight", "isn't a period"),
        ("2025-02-10..2025-02-01", "ends before it starts"),
        ("2025-02-30", "isn't a real date"),
    ],
)
def test_parse_fees_command_refuses(text: str, fragment: str) -> None:
    refused(parse_fees_command(text, today=TODAY), fragment)


# --------------------------------------------------------------------------------------------
# /add-customer, /share-customer
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane@example.com", AddCustomerArgs("jane@example.com", None)),
        ("Jane@Example.com Jane Doe", AddCustomerArgs("jane@example.com", "Jane Doe")),
        ('jane@example.com "Jane Doe"', AddCustomerArgs("jane@example.com", "Jane Doe")),
        (
            "<mailto:jane@example.com|jane@example.com> Jane &amp; Co",
            AddCustomerArgs("jane@example.com", "Jane & Co"),
        ),
    ],
)
def test_parse_add_customer(text: str, expected: AddCustomerArgs) -> None:
    assert parse_add_customer(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Give the customer's email"),
        ("Jane Doe", "exactly one `@`"),
        ("jane@example.com " + "n" * 201, "longer than 200"),
    ],
)
def test_parse_add_customer_refuses(text: str, fragment: str) -> None:
    refused(parse_add_customer(text), fragment)


@pytest.mark.parametrize(
    "text",
    [f"{VENDOR} jane@example.com", f"jane@example.com {VENDOR}", f"{VENDOR} JANE@example.com"],
)
def test_parse_share_customer(text: str) -> None:
    assert parse_share_customer(text) == ShareCustomerArgs("U123ABC", "jane@example.com")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Give a vendor and an email"),
        (VENDOR, "Give a vendor and an email"),
        (f"{VENDOR} jane@example.com extra", "Give a vendor and an email"),
        ("@jane jane@example.com", "pick the person"),
        (f"{VENDOR} jane", "exactly one `@`"),
    ],
)
def test_parse_share_customer_refuses(text: str, fragment: str) -> None:
    refused(parse_share_customer(text), fragment)


# --------------------------------------------------------------------------------------------
# Properties: no text crashes a parser; every refusal says something
# --------------------------------------------------------------------------------------------

FAST = settings(max_examples=250, deadline=None)

slack_tokens = st.sampled_from(
    [
        *[VENDOR, "<@U1>", "<#C123|x>", "<mailto:a@b.co|a@b.co>", "@jane", "jane@example.com"],
        *["100", "100.00", "€100", "EUR", "eur", "1e3", "NaN", "١٠٠", '"', "“", "<", ">", "%"],
        *["week", "2025-02", "2025-02-30", "2025-01-01..2025-01-31", "pi_3NxYz12345", "cb_ch_"],
    ]
)
command_texts = st.one_of(
    st.text(),
    st.lists(st.one_of(slack_tokens, st.text(max_size=5)), max_size=8).map(" ".join),
)


def _check(result: object) -> None:
    if isinstance(result, Refusal):
        assert result.message.strip()


@FAST
@given(text=command_texts)
def test_split_args_never_crashes(text: str) -> None:
    args = split_args(text)
    assert all(isinstance(arg, str) for arg in args)
    if not any(char in text for char in '"“”„<'):
        assert args == text.split()


@FAST
@given(text=command_texts, today=st.dates())
def test_parse_period_never_crashes(text: str, today: date) -> None:
    result = parse_period(text, today=today)
    _check(result)
    if isinstance(result, Period):
        assert result.start <= result.end
        assert result.start <= today
        assert result.label


@FAST
@given(today=st.dates(min_value=date(2, 1, 1)))
def test_relative_periods_are_whole_and_before_today(today: date) -> None:
    yesterday = parse_period("yesterday", today=today)
    last_week = parse_period("last-week", today=today)
    last_month = parse_period("last-month", today=today)
    week = parse_period("week", today=today)
    month = parse_period("month", today=today)
    for p in (yesterday, last_week, last_month, week, month):
        assert isinstance(p, Period)
    assert isinstance(yesterday, Period) and isinstance(last_week, Period)
    assert isinstance(last_month, Period) and isinstance(week, Period)
    assert isinstance(month, Period)
    assert yesterday.start == yesterday.end == today - timedelta(days=1)
    # last week: Monday to Sunday, ending the day before this week starts
    assert last_week.start.weekday() == 0 and (last_week.end - last_week.start).days == 6
    assert last_week.end + timedelta(days=1) == week.start
    # last month: a whole calendar month, ending the day before this month starts
    assert last_month.start.day == 1 and (last_month.end + timedelta(days=1)).day == 1
    assert last_month.end + timedelta(days=1) == month.start


@FAST
@given(text=command_texts)
def test_command_parsers_never_crash(text: str) -> None:
    _check(parse_charge_command(text, default_currency="usd", max_amount=MAX))
    _check(parse_refund_command(text, default_currency="eur", max_amount=MAX))
    _check(parse_vendor_fee_command(text, currency="usd"))
    _check(parse_vendor_channel_command(text))
    _check(parse_vendor_disconnect_command(text))
    _check(parse_connect_vendor_command(text))
    _check(parse_fees_command(text, today=TODAY))
    _check(parse_add_customer(text))
    _check(parse_share_customer(text))
    _check(parse_email(text))
    _check(parse_user_mention(text))
    _check(parse_channel_mention(text))


@FAST
@given(
    user=st.from_regex(r"[UW][A-Z0-9]{2,10}", fullmatch=True),
    name=st.text(alphabet=st.characters(blacklist_characters="<>|"), max_size=20),
)
def test_any_escaped_mention_parses(user: str, name: str) -> None:
    assert parse_user_mention(f"<@{user}|{name}>") == user
    assert parse_user_mention(f"<@{user}>") == user


@FAST
@given(
    word=st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True),
    amount=st.sampled_from(["100", "100.00", "$100", "EUR 100", "100eur"]),
)
def test_a_word_between_the_amount_and_the_email_is_a_currency_or_refused(
    word: str, amount: str
) -> None:
    """Never read as a description: a supported currency (agreeing with the amount) charges
    in it; anything else is refused, naming the word."""
    result = charge(f"{VENDOR} {amount} {word} jane@example.com")
    if isinstance(result, ChargeArgs):
        assert result.money.currency == word.lower()
        assert result.customer_email == "jane@example.com" and result.description is None
    else:
        assert word.upper() in result.message.upper(), result.message
