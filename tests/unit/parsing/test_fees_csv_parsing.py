"""`/fees … csv`: the word that asks for the export, anywhere among the period and the vendor."""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing import FeesArgs, parse_fees_command
from bot.refusal import Refusal

TODAY = date(2025, 3, 5)
VENDOR = "<@U123ABC|jane>"


@pytest.mark.parametrize(
    ("text", "start", "end", "vendor", "csv"),
    [
        ("month csv", date(2025, 3, 1), TODAY, None, True),
        ("csv", TODAY, TODAY, None, True),  # no period: today, as /fees
        ("CSV 2025-02", date(2025, 2, 1), date(2025, 2, 28), None, True),
        (f"csv {VENDOR} week", date(2025, 3, 3), TODAY, "U123ABC", True),
        (
            f"2025-01-01..2025-01-31 {VENDOR} Csv",
            date(2025, 1, 1),
            date(2025, 1, 31),
            "U123ABC",
            True,
        ),
        ("month", date(2025, 3, 1), TODAY, None, False),
    ],
)
def test_csv_anywhere(text: str, start: date, end: date, vendor: str | None, csv: bool) -> None:
    result = parse_fees_command(text, today=TODAY)
    assert isinstance(result, FeesArgs)
    assert (result.period.start, result.period.end, result.vendor_user_id) == (start, end, vendor)
    assert result.csv is csv


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("month csv csv", "Say `csv` once"),
        ("csv fortnight", "isn't a period"),
        ("csvs month", "Give one period"),  # not the word csv: read as a second period
        ("month.csv", "isn't a period"),
        (f"csv {VENDOR} <@U999ZZZ>", "at most one vendor"),
        ("csv 2099-01", "starts in the future"),
    ],
)
def test_csv_refusals(text: str, fragment: str) -> None:
    result = parse_fees_command(text, today=TODAY)
    assert isinstance(result, Refusal), result
    assert fragment in result.message, result.message
