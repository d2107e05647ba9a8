"""Reporting periods: `today`, `yesterday`, `week`, `last-week`, `month`, `last-month`, `YYYY-MM`,
`YYYY-MM-DD` and `YYYY-MM-DD..YYYY-MM-DD`."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from bot.parsing.tokens import quote
from bot.refusal import Refusal


@dataclass(frozen=True, slots=True)
class Period:
    """Dates from `start` to `end`, both inclusive, and how to name them in a message."""

    start: date
    end: date
    label: str


_MONTH_NAMES: Final = (
    "January February March April May June July August September October November December"
).split()
_MONTH_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_RANGE_RE: Final = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})")


def _make_date(text: str) -> date | Refusal:
    """A `YYYY-MM-DD` date; refuses impossible dates like `2025-02-30`."""
    match = _DAY_RE.fullmatch(text)
    if not match:
        return Refusal(f"{quote(text)} isn't a date like `2025-03-31`.")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return Refusal(f"{quote(text)} isn't a real date.")


def _not_future(period: Period, text: str, today: date) -> Period | Refusal:
    """Refuse a period that starts after today (usually a typo)."""
    if period.start > today:
        return Refusal(f"{quote(text)} starts in the future.")
    return period


def parse_period(text: str, *, today: date) -> Period | Refusal:
    """A reporting period, both ends inclusive.

    * empty or `today`: today; `yesterday`: the day before;
    * `week`: this ISO week, Monday to today; `last-week`: the whole ISO week before it;
    * `month`: the first of this month to today; `last-month`: the whole month before it;
    * `YYYY-MM`: that whole calendar month;
    * `YYYY-MM-DD`: that day;
    * `YYYY-MM-DD..YYYY-MM-DD`: that range.

    Keywords are case-insensitive. Refuses other words, impossible dates (`2025-02-30`,
    `2025-13`), a range whose start is after its end, and periods starting after `today`.
    """
    word = text.strip().lower()
    if word in ("", "today"):
        return Period(today, today, f"today ({today.isoformat()})")
    if word == "yesterday":
        before = today - timedelta(days=1)
        return Period(before, before, f"yesterday ({before.isoformat()})")
    if word == "last-week":
        monday = today - timedelta(days=today.weekday() + 7)
        sunday = monday + timedelta(days=6)
        return Period(monday, sunday, f"last week ({monday.isoformat()}..{sunday.isoformat()})")
    if word == "last-month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, f"{_MONTH_NAMES[end.month - 1]} {end.year}")
    if word == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(monday, today, f"this week ({monday.isoformat()}..{today.isoformat()})")
    if word == "month":
        first = today.replace(day=1)
        return Period(first, today, f"this month ({first.isoformat()}..{today.isoformat()})")
    month = _MONTH_RE.fullmatch(word)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12 or year < 1:
            return Refusal(f"{quote(text)} isn't a real month.")
        last = calendar.monthrange(year, number)[1]
        start = date(year, number, 1)
        label = f"{_MONTH_NAMES[number - 1]} {year}"
        return _not_future(Period(start, date(year, number, last), label), text, today)
    if _DAY_RE.fullmatch(word):
        day = _make_date(word)
        if isinstance(day, Refusal):
            return day
        return _not_future(Period(day, day, day.isoformat()), text, today)
    span = _RANGE_RE.fullmatch(word)
    if span:
        return _parse_range(span.group(1), span.group(2), text, today)
    return Refusal(
        f"{quote(text)} isn't a period; use `today`, `yesterday`, `week`, `last-week`, "
        "`month`, `last-month`, a month like `2025-03`, a day like `2025-03-14` "
        "or a range like `2025-03-01..2025-03-15`."
    )


def _parse_range(first: str, second: str, text: str, today: date) -> Period | Refusal:
    """`YYYY-MM-DD..YYYY-MM-DD`; refuses impossible dates and a reversed range."""
    start = _make_date(first)
    if isinstance(start, Refusal):
        return start
    end = _make_date(second)
    if isinstance(end, Refusal):
        return end
    if start > end:
        return Refusal(f"{quote(text)} ends before it starts.")
    return _not_future(Period(start, end, f"{start.isoformat()}..{end.isoformat()}"), text, today)
