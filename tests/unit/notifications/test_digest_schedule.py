"""Which day's digest is due when, across midnight, time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.notifications.digest_schedule import (
    day_bounds,
    digest_due_at,
    latest_due_digest_day,
    summarizes_only_days_since,
)

NY = ZoneInfo("America/New_York")  # DST 2026: spring forward Mar 8 02:00, fall back Nov 1 02:00
BERLIN = ZoneInfo("Europe/Berlin")  # DST 2026: Mar 29 02:00 → 03:00, Oct 25 03:00 → 02:00
UTC_Z = ZoneInfo("UTC")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a half-hour DST shift


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "at", "tz", "day"),
    [
        # UTC, 09:00: before → the day before yesterday; at and after → yesterday.
        (utc(2026, 6, 10, 8, 59, 59), time(9), UTC_Z, date(2026, 6, 8)),
        (utc(2026, 6, 10, 9, 0), time(9), UTC_Z, date(2026, 6, 9)),
        (utc(2026, 6, 10, 23, 59), time(9), UTC_Z, date(2026, 6, 9)),
        # Midnight digests summarize the day that just ended.
        (utc(2026, 6, 10, 0, 0), time(0), UTC_Z, date(2026, 6, 9)),
        (utc(2026, 6, 9, 23, 59), time(0), UTC_Z, date(2026, 6, 8)),
        # New York summer (UTC-4): 09:00 local is 13:00 UTC; the local date decides "yesterday".
        (utc(2026, 6, 10, 12, 59), time(9), NY, date(2026, 6, 8)),
        (utc(2026, 6, 10, 13, 0), time(9), NY, date(2026, 6, 9)),
        (utc(2026, 6, 11, 3, 0), time(9), NY, date(2026, 6, 9)),  # still June 10 in New York
        # New York winter (UTC-5): 09:00 local is 14:00 UTC.
        (utc(2026, 1, 10, 13, 59), time(9), NY, date(2026, 1, 8)),
        (utc(2026, 1, 10, 14, 0), time(9), NY, date(2026, 1, 9)),
        # Spring forward, Mar 8: 09:00 EDT is 13:00 UTC (the day before it was 14:00 UTC).
        (utc(2026, 3, 8, 12, 59), time(9), NY, date(2026, 3, 6)),
        (utc(2026, 3, 8, 13, 0), time(9), NY, date(2026, 3, 7)),
        # 02:30 does not exist on Mar 8: read as 02:30 EST = 07:30 UTC (03:30 EDT).
        (utc(2026, 3, 8, 7, 29), time(2, 30), NY, date(2026, 3, 6)),
        (utc(2026, 3, 8, 7, 30), time(2, 30), NY, date(2026, 3, 7)),
        # Fall back, Nov 1: 01:30 happens twice; due at the first (EDT, 05:30 UTC).
        (utc(2026, 11, 1, 5, 29), time(1, 30), NY, date(2026, 10, 30)),
        (utc(2026, 11, 1, 5, 30), time(1, 30), NY, date(2026, 10, 31)),
        (utc(2026, 11, 1, 6, 30), time(1, 30), NY, date(2026, 10, 31)),  # second 01:30: same day
        # After fall back, 09:00 EST is 14:00 UTC.
        (utc(2026, 11, 1, 13, 59), time(9), NY, date(2026, 10, 30)),
        (utc(2026, 11, 1, 14, 0), time(9), NY, date(2026, 10, 31)),
        (utc(2026, 11, 2, 13, 59), time(9), NY, date(2026, 10, 31)),
        (utc(2026, 11, 2, 14, 0), time(9), NY, date(2026, 11, 1)),
        # Berlin, the spring-forward gap at 02:30 on Mar 29 → due 01:30 UTC (03:30 CEST).
        (utc(2026, 3, 29, 1, 29), time(2, 30), BERLIN, date(2026, 3, 27)),
        (utc(2026, 3, 29, 1, 30), time(2, 30), BERLIN, date(2026, 3, 28)),
        # Berlin fall back Oct 25: 02:30 first occurs at 00:30 UTC (CEST).
        (utc(2026, 10, 25, 0, 29), time(2, 30), BERLIN, date(2026, 10, 23)),
        (utc(2026, 10, 25, 0, 30), time(2, 30), BERLIN, date(2026, 10, 24)),
        (utc(2026, 10, 25, 1, 30), time(2, 30), BERLIN, date(2026, 10, 24)),
        # Lord Howe shifts by 30 minutes (Oct 4 2026, 02:00 → 02:30): 02:15 does not exist.
        (utc(2026, 10, 3, 15, 44), time(2, 15), LORD_HOWE, date(2026, 10, 2)),
        (utc(2026, 10, 3, 15, 45), time(2, 15), LORD_HOWE, date(2026, 10, 3)),
        # A `now` in another zone means the same instant.
        (datetime(2026, 6, 10, 14, 59, tzinfo=BERLIN), time(9), NY, date(2026, 6, 8)),
        (datetime(2026, 6, 10, 15, 0, tzinfo=BERLIN), time(9), NY, date(2026, 6, 9)),
    ],
)
def test_latest_due_digest_day(now: datetime, at: time, tz: ZoneInfo, day: date) -> None:
    assert latest_due_digest_day(now, at, tz) == day


def test_each_day_has_one_due_instant_a_day_apart_in_local_time() -> None:
    # Across fall back the gap between due instants is 25 hours, across spring forward 23.
    assert digest_due_at(date(2026, 10, 31), time(9), NY) - digest_due_at(
        date(2026, 10, 30), time(9), NY
    ) == (utc(2026, 11, 1, 14) - utc(2026, 10, 31, 13))
    assert digest_due_at(date(2026, 3, 7), time(9), NY) == utc(2026, 3, 8, 13)
    assert digest_due_at(date(2026, 3, 6), time(9), NY) == utc(2026, 3, 7, 14)


def test_day_bounds_follow_the_local_day_including_23_and_25_hour_days() -> None:
    assert day_bounds(date(2026, 6, 9), NY) == (utc(2026, 6, 9, 4), utc(2026, 6, 10, 4))
    start, end = day_bounds(date(2026, 3, 8), NY)
    assert (start, (end - start).total_seconds() / 3600) == (utc(2026, 3, 8, 5), 23)
    start, end = day_bounds(date(2026, 11, 1), NY)
    assert (start, (end - start).total_seconds() / 3600) == (utc(2026, 11, 1, 4), 25)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        latest_due_digest_day(datetime(2026, 6, 10, 9), time(9), UTC_Z)


@pytest.mark.parametrize(
    ("day", "first_start", "tz", "allowed"),
    [
        # Started at noon on Jun 10: the 10th has a digest, the 9th and before do not.
        (date(2026, 6, 10), utc(2026, 6, 10, 12), UTC_Z, True),
        (date(2026, 6, 11), utc(2026, 6, 10, 12), UTC_Z, True),
        (date(2026, 6, 9), utc(2026, 6, 10, 12), UTC_Z, False),
        (date(2026, 6, 1), utc(2026, 6, 10, 12), UTC_Z, False),
        # 02:00 UTC on Jun 10 is still Jun 9 in New York: the 9th is connectbot's first day.
        (date(2026, 6, 9), utc(2026, 6, 10, 2), NY, True),
        (date(2026, 6, 8), utc(2026, 6, 10, 2), NY, False),
        # 23:30 UTC on Jun 9 is already Jun 10 in Berlin: the 9th was before it ran.
        (date(2026, 6, 9), utc(2026, 6, 9, 23, 30), BERLIN, False),
        (date(2026, 6, 10), utc(2026, 6, 9, 23, 30), BERLIN, True),
    ],
)
def test_no_digest_for_a_day_before_the_first_start(
    day: date, first_start: datetime, tz: ZoneInfo, allowed: bool
) -> None:
    assert summarizes_only_days_since(day, first_start, tz) is allowed


def test_a_naive_first_start_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        summarizes_only_days_since(date(2026, 6, 9), datetime(2026, 6, 9), UTC_Z)
