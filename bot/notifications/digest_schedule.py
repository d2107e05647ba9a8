"""When the daily digest is due, and which day it summarizes (pure: clock values in, dates out).

The digest posted at `DIGEST_TIME` on day D+1 (in `DIGEST_TZ`) summarizes day D, the whole
calendar day that ended at the previous midnight, so it never reports a half-finished day.

Daylight-saving time: a `DIGEST_TIME` that does not exist on a day (skipped by a spring-forward
gap) is read with the offset in force before the gap, so 02:30 becomes 03:30 new time; one that
happens twice (a fall-back overlap) is due at its first occurrence. Either way each day's
digest has exactly one due instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def digest_due_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which the digest summarizing `day` becomes due (`at` on the next day)."""
    local = datetime.combine(day + timedelta(days=1), at.replace(tzinfo=None, fold=0), tzinfo=tz)
    return local.astimezone(UTC)


def latest_due_digest_day(now: datetime, at: time, tz: ZoneInfo) -> date:
    """The most recent day whose digest is due at `now` (an aware datetime; refuses naive ones).

    Before today's `at` that is the day before yesterday (yesterday's digest is not due yet);
    from `at` on, yesterday. Earlier days are never returned: a digest missed while no server
    ran is skipped, not posted late.
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime refused; pass an aware datetime")
    # Aware datetimes sharing one tzinfo compare by wall clock, so compare in UTC instead.
    now_utc = now.astimezone(UTC)
    yesterday = now_utc.astimezone(tz).date() - timedelta(days=1)
    if now_utc >= digest_due_at(yesterday, at, tz):
        return yesterday
    return yesterday - timedelta(days=1)


def summarizes_only_days_since(day: date, first_start: datetime, tz: ZoneInfo) -> bool:
    """Whether the digest of `day` may be posted: `day` is not before the day (in `tz`) on
    which connectbot first started. The first start's own day counts (it may have charges);
    any earlier day is one connectbot never saw, so a "no charges" digest would be false."""
    if first_start.tzinfo is None:
        raise ValueError("naive datetime refused; pass an aware datetime")
    return day >= first_start.astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the calendar day `day` in `tz` (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end
