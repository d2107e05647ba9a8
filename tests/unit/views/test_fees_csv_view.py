"""The CSV export's cells: formula-safe text, plain amounts, totals summed as /fees sums them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views.fees_csv import (
    COLUMNS,
    CurrencySums,
    charge_cells,
    export_comment,
    not_shared,
    safe_cell,
    totals_cells,
)

UTC_TZ = ZoneInfo("UTC")


@dataclass(frozen=True)
class Row:
    id: str = "cb_ch_1"
    created_at: datetime = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    vendor_user_id: str = "U0VERA"
    stripe_account_id: str = "acct_1"
    payment_intent_id: str | None = "pi_1"
    customer_email: str | None = "jane@example.com"
    currency: str = "usd"
    amount: int = 100_00
    application_fee_amount: int = 10_00
    amount_refunded: int = 40_00
    fee_refunded: int = 4_00
    description: str | None = None


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("order #1042", "order #1042"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(text: str | None, cell: str) -> None:
    assert safe_cell(text) == cell


@given(st.text())
def test_no_text_cell_starts_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)


def test_a_charge_row_in_the_business_day_with_plain_amounts() -> None:
    row = Row(description="-5 off", currency="usd")
    cells = charge_cells(row, ZoneInfo("Europe/Paris"))
    assert dict(zip(COLUMNS, cells, strict=True)) == {
        "date": "2026-04-01",  # 23:30 UTC is the next day in Paris
        "vendor": "U0VERA",
        "account": "acct_1",
        "PaymentIntent": "pi_1",
        "customer email": "jane@example.com",
        "currency": "USD",
        "gross": "100.00",
        "fee": "10.00",
        "refunded": "40.00",
        "fee refunded": "4.00",
        "net": "54.00",
        "charge": "cb_ch_1",
        "description": "'-5 off",
    }
    yen = charge_cells(
        Row(
            currency="jpy",
            amount=1000,
            application_fee_amount=100,
            amount_refunded=0,
            fee_refunded=0,
            payment_intent_id=None,
        ),
        UTC_TZ,
    )
    assert yen[3] == "" and yen[6:11] == ["1000", "100", "0", "0", "900"]


@given(
    st.lists(
        st.tuples(
            st.integers(50, 10**9), st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)
        ),
        min_size=1,
        max_size=20,
    )
)
def test_totals_are_the_sum_of_the_rows(parts: list[tuple[int, int, int, int]]) -> None:
    sums = CurrencySums("eur")
    rows = []
    for amount, fee_pct, refund_pct, fee_back_pct in parts:
        fee = amount * fee_pct // 100
        row = Row(
            currency="eur",
            amount=amount,
            application_fee_amount=fee,
            amount_refunded=amount * refund_pct // 100,
            fee_refunded=fee * fee_back_pct // 100,
        )
        sums.add(row)
        rows.append(charge_cells(row, UTC_TZ))
    total = totals_cells(sums)
    for column in range(6, 11):  # gross, fee, refunded, fee refunded, net
        assert sum(Decimal(r[column]) for r in rows) == Decimal(total[column])
    assert sums.net == sums.gross - sums.refunds - sums.fees
    out = io.StringIO()
    csv.writer(out).writerow(total)
    assert next(csv.reader(io.StringIO(out.getvalue()))) == total


def test_comment_and_refusals_read_well() -> None:
    sums = CurrencySums("usd", count=2, gross=150_00, fee=15_00, refunds=40_00, fee_refunded=4_00)
    assert export_comment("March 2026", [sums], "U0VERA") == (
        "Fees of <@U0VERA> for March 2026 as CSV · USD: 2 charges, gross $150.00, "
        "platform fees $11.00, refunds $40.00, net to vendors $99.00"
    )
    for error in ("not_in_channel", "channel_not_found", "is_archived", "missing_scope", None):
        message = not_shared(error)
        assert message.endswith(".") if error is None else error not in message
