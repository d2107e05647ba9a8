"""The daily digest: once per day, however many server processes run.

Every process runs a `DailyDigest` worker (`bot/daily_digest.py`), which wakes every minute and
calls `digest_pass`. A pass works out the latest day whose digest is due (`digest_schedule`),
and when that day has no `digest_runs` row yet, inserts it and queues the digest's outbox
messages in the same transaction. The unique `day` decides the one winner: a loser's insert
does nothing (and it queues nothing); a winner that crashes before committing leaves no row and
no messages, so the next pass, in any process, posts the digest instead. The relay posts each
message once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.notifications.digest_schedule import (
    day_bounds,
    latest_due_digest_day,
    summarizes_only_days_since,
)
from bot.notifications.routing import tell_ops
from bot.services import Services
from bot.views.digest import VendorDay, digest_message, vendor_digest_message
from storage.models import Vendor
from storage.repos import audit, digests, milestones, outbox, reports

log = logging.getLogger(__name__)


async def digest_pass(services: Services, now: datetime | None = None) -> date | None:
    """Queue the digest of the latest due day unless some process already did.

    Returns the day this call queued, or None (already done, or lost the race). `now`
    (aware) defaults to the clock; tests pass it instead of waiting.
    """
    settings = services.settings
    tz = ZoneInfo(settings.digest_tz)
    day = latest_due_digest_day(now or datetime.now(UTC), settings.digest_time, tz)
    async with services.sessions() as session:
        if await digests.has_run(session, day):  # the usual case: a cheap read, no write lock
            return None
    first_start = await record_first_start(services)
    if not summarizes_only_days_since(day, first_start, tz):
        return None  # a day before connectbot first ran: it knows nothing about it
    async with services.sessions.begin() as session:
        if not await digests.claim_day(session, day):
            return None
        await _queue_digest(session, services, day, tz)
    log.info("daily digest for %s queued", day)
    return day


async def record_first_start(services: Services) -> datetime:
    """When connectbot first started on this database: recorded by the first process to ask
    (each process asks as it starts its digest loop), read back by every later one."""
    async with services.sessions.begin() as session:
        return await milestones.record_once(session, milestones.FIRST_START)


async def _queue_digest(session: AsyncSession, services: Services, day: date, tz: ZoneInfo) -> None:
    settings = services.settings
    start, end = day_bounds(day, tz)
    vendors = list((await session.scalars(select(Vendor).order_by(Vendor.id))).all())
    # Aggregate queries over every team (the ops channel is the platform's): per currency, and
    # per vendor and currency ranked by gross (one query, not one per vendor).
    currencies = await reports.currency_totals(session, team_id=None, start=start, end=end)
    totals: dict[str, list[reports.VendorTotals]] = defaultdict(list)
    best_rank: dict[str, int] = {}
    rank_in: dict[str, int] = defaultdict(int)
    for t in await reports.fee_summary(session, team_id=None, start=start, end=end):
        totals[t.stripe_account_id].append(t)
        rank_in[t.currency] += 1
        best_rank.setdefault(t.stripe_account_id, rank_in[t.currency])
        best_rank[t.stripe_account_id] = min(best_rank[t.stripe_account_id], rank_in[t.currency])
    disputes = await reports.dispute_counts(session, start=start, end=end)
    active = [
        (
            vendor,
            VendorDay(
                vendor.slack_user_id,
                vendor.stripe_account_id,
                tuple(totals[vendor.stripe_account_id]),
                disputes.by_account.get(vendor.stripe_account_id, 0),
                livemode=vendor.livemode,
            ),
        )
        for vendor in vendors
        if totals[vendor.stripe_account_id] or disputes.by_account.get(vendor.stripe_account_id)
    ]
    # Most gross first (a vendor's best rank in any currency), then the most disputes.
    active.sort(
        key=lambda pair: (
            best_rank.get(pair[0].stripe_account_id, len(vendors) + 1),
            -pair[1].disputes,
            pair[0].id,
        )
    )
    key = f"digest:{day.isoformat()}"
    lines = [line for _, line in active]
    await tell_ops(
        session,
        settings,
        message=digest_message(day, currencies, lines, disputes.unattributed),
        key=key,
    )
    own_channels = 0
    for vendor, line in active:
        if vendor.channel_id and vendor.channel_id != settings.ops_channel_id:
            own_channels += 1
            await outbox.enqueue(
                session,
                kind="post",
                target=vendor.channel_id,
                payload=vendor_digest_message(day, line),
                dedupe_key=f"{key}:vendor:{vendor.stripe_account_id}",
            )
    await audit.record(
        session,
        actor="connectbot",
        action="digest.queued",
        target=day.isoformat(),
        outcome="queued",
        detail={"vendors": len(active), "vendor_channels": own_channels},
    )
