"""/fees, the digest and App Home with thousands of vendors: totals first, the top vendors,
how to get the rest, and always inside Slack's block limits (pure views, no server)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.views.fees import LISTED, fee_summary_message, top_per_currency
from storage.repos.reports import CurrencyTotals, VendorTotals


def vendor(i: int, currency: str = "usd", gross: int = 100_00) -> VendorTotals:
    return VendorTotals(f"U{i:05d}", f"acct_{i}", currency, 1, gross, gross // 10, 0)


def test_fees_with_thousands_of_vendors_leads_with_totals_and_says_how_to_get_the_rest() -> None:
    per = top_per_currency(1)
    listed = [vendor(i, gross=(1000 - i) * 100) for i in range(per)]
    totals = [CurrencyTotals("usd", 4_000, 4_321, 123_456_78, 12_345_67, 1_000_00)]
    msg = fee_summary_message("today (2026-03-02)", totals, listed, period="2026-03-02")
    lines = msg["text"].splitlines()
    assert lines[0] == "Fees for today (2026-03-02):"
    assert lines[1] == (
        "All vendors, USD: 4,321 charges from 4,000 vendors, gross $123,456.78, "
        "platform fees $12,345.67, refunds $1,000.00, net to vendors $110,111.11"
    )
    assert lines[2].startswith("<@U00000>: 1 charge, gross $1,000.00")
    assert len(lines) == 2 + per + 1
    assert lines[-1] == (
        f"Listed here: the {per} USD vendors with the most gross (of 4,000). "
        "For any other vendor, name them: `/fees 2026-03-02 @vendor`."
    )
    assert "CSV" not in msg["text"]
    assert len(msg["blocks"]) <= 50
    assert msg["blocks"][1]["text"]["text"] == "*All vendors · USD* · 4,000 vendors"


def test_one_named_vendor_gets_no_all_vendor_line() -> None:
    totals = [CurrencyTotals("usd", 1, 1, 100_00, 10_00, 0)]
    msg = fee_summary_message("today", totals, [vendor(1)], one_vendor=True)
    assert msg["text"].splitlines()[1:] == [
        "<@U00001>: 1 charge, gross $100.00, platform fees $10.00, refunds $0.00, "
        "net to vendor $90.00"
    ]


@settings(max_examples=60, deadline=None)
@given(currencies=st.integers(1, 30), vendors=st.integers(1, 5000))
def test_fees_message_fits_slack_whatever_the_counts(currencies: int, vendors: int) -> None:
    codes = ["".join(chr(97 + (i // 26**k) % 26) for k in (2, 1, 0)) for i in range(currencies)]
    per = top_per_currency(currencies)
    totals = [CurrencyTotals(c, vendors, vendors, vendors * 100, vendors * 10, 0) for c in codes]
    listed = [vendor(i, c) for c in codes for i in range(min(per, vendors))]
    assert per * currencies <= max(LISTED, 3 * currencies)
    msg = fee_summary_message("today", totals, listed)
    assert len(msg["blocks"]) <= 50
    assert len(msg["text"]) <= 40_000
    assert ("Listed here:" in msg["text"]) == (vendors > per)


def test_app_home_with_thousands_of_vendors_fits_and_says_how_to_see_the_rest() -> None:
    from bot.views.home import MAX_VENDORS, TOP_TODAY, HomeVendor, operator_home

    listed = [HomeVendor(f"U{i:05d}", f"acct_{i}", "connected", True) for i in range(MAX_VENDORS)]
    totals = [CurrencyTotals(c, 3_000, 9_000, 1_000_00, 100_00, 50_00) for c in ("eur", "usd")]
    top = [vendor(i, c) for c in ("eur", "usd") for i in range(TOP_TODAY)]
    view = operator_home(
        vendors=listed,
        vendor_count=3_000,
        day_label="Mon 2 Mar 2026",
        today=totals,
        top=top,
        charges=[],
    )
    assert len(view["blocks"]) <= 100
    text = str(view)
    assert "*Net to vendors*\\n$850.00" in text and "*Refunds*\\n$50.00" in text
    assert "the 5 USD vendors with the most gross (of 3,000)" in text
    assert "`/fees today @vendor` shows any other vendor." in text


def test_the_digest_with_thousands_of_vendors_leads_with_totals_and_counts_the_rest() -> None:
    from datetime import date

    from bot.views.digest import MAX_VENDORS, VendorDay, digest_message

    days = [VendorDay(f"U{i:05d}", f"acct_{i}", (vendor(i),), 0) for i in range(4_000)]
    totals = [CurrencyTotals("usd", 4_000, 4_000, 400_000_00, 40_000_00, 0)]
    msg = digest_message(date(2026, 3, 2), totals, days, 2)
    lines = msg["text"].splitlines()
    assert lines[1].startswith("All vendors, USD: 4,000 charges from 4,000 vendors")
    assert lines[2] == "<@U00000>: 1 charge, gross $100.00, fees $10.00, refunds $0.00; 0 disputes"
    assert len(lines) == 2 + MAX_VENDORS + 2
    assert lines[-2] == (
        f"and {4_000 - MAX_VENDORS:,} more vendors: `/fees 2026-03-02 @vendor` shows any of them"
    )
    assert lines[-1] == "2 disputes on charges not made through connectbot"
    assert len(msg["blocks"]) <= 50
