"""The daily digest: per vendor count, gross, fees, refunds, disputes; queued once per day."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.notifications.digest import digest_pass, record_first_start
from bot.services import SERVICES, Services
from storage.db import create_engine, session_factory
from storage.models import DigestRun, Milestone, OutboxMessage, Vendor
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.stripe_totals import StripeTotals, plural, shown, stripe_totals
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot

VERA, VICTOR = "U0VERA", "U0VICTOR"
VERA_CHANNEL = "C0VERA"


async def digests_in(cb: Connectbot, channel: str) -> list[dict[str, Any]]:
    return [
        c["params"]
        for c in await cb.posted()
        if c["params"]["channel"] == channel and "Daily digest" in c["params"]["text"]
    ]


def figures(totals: StripeTotals) -> str:
    """A vendor's digest figures, built from Stripe's objects alone."""
    return (
        f"{plural(totals.charges, 'charge')}, gross {shown(totals.gross)}, "
        f"fees {shown(totals.fees)}, refunds {shown(totals.refunds)}; "
        f"{plural(totals.disputes, 'dispute')}"
    )


async def accounts(cb: Connectbot) -> dict[str, str]:
    """Slack user id → Stripe account id of every vendor."""
    async with cb.sessions() as session:
        rows = (await session.execute(select(Vendor.slack_user_id, Vendor.stripe_account_id))).all()
    return {user: account for user, account in rows}


async def a_busy_day(cb: Connectbot) -> datetime:
    """Vera (own channel): $100 and $50, $40 refunded; Victor: $20 (disputed), one decline.
    Returns when the charges were made."""
    await connected_vendor(cb, VERA, channel_id=VERA_CHANNEL)
    await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    first = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VERA}> 50.00 jane@example.com", user=OPERATOR)
    disputed = await charge_through_modal(cb, f"<@{VICTOR}> 20.00 jane@example.com", user=OPERATOR)
    bob = await customer_with_card(cb, "bob@example.com", card="pm_card_chargeDeclined")
    await charge_through_modal(cb, f"<@{VICTOR}> 99.00 {bob.email}", user=OPERATOR)
    reply = await cb.slack_sender.command("/refund", f"{first.id} 40", user_id=OPERATOR)
    await cb.until(lambda: cb.slack.responses(str(reply.response_key)), what="the refund")
    await cb.stripe.dispute(str(disputed.stripe_charge_id))
    await cb.events_handled()
    return first.created_at


def the_morning_after(made: datetime, *, at: time = time(9, 0)) -> datetime:
    """DIGEST_TIME (09:00 UTC in the harness) on the day after `made`."""
    return datetime.combine(made.astimezone(UTC).date() + timedelta(days=1), at, tzinfo=UTC)


async def test_two_concurrent_passes_queue_one_digest(cb: Connectbot) -> None:
    made = await a_busy_day(cb)
    day = made.astimezone(UTC).date()
    services = cb.app[SERVICES]
    # A second "process": its own engine and connection pool on the same database.
    other_engine = create_engine(cb.settings.database_url)
    other: Services = dataclasses.replace(
        services, engine=other_engine, sessions=session_factory(other_engine)
    )
    try:
        now = the_morning_after(made)
        results = await asyncio.gather(digest_pass(services, now), digest_pass(other, now))
        assert sorted(results, key=str) == [day, None]
        # Later passes that day, in either process, find the row and do nothing.
        later = now + timedelta(hours=5)
        assert await digest_pass(other, later) is None
        assert await digest_pass(services, later) is None
    finally:
        await other_engine.dispose()

    [ops] = await cb.until(lambda: digests_in(cb, OPS_CHANNEL), what="the ops digest")
    [own] = await cb.until(lambda: digests_in(cb, VERA_CHANNEL), what="Vera's digest")
    label = f"{day:%a} {day.day} {day:%b %Y}"
    assert ops["text"].splitlines() == [
        f"Daily digest for {label}:",
        "All vendors, USD: 3 charges from 2 vendors, gross $170.00, platform fees $13.00, "
        "refunds $40.00, net to vendors $117.00",
        f"<@{VERA}>: 2 charges, gross $150.00, fees $11.00, refunds $40.00; 0 disputes",
        f"<@{VICTOR}>: 1 charge, gross $20.00, fees $2.00, refunds $0.00; 1 dispute",
    ]
    assert own["text"] == (
        f"Daily digest for {label}, <@{VERA}>: "
        "2 charges, gross $150.00, fees $11.00, refunds $40.00; 0 disputes"
    )
    # The same figures as Stripe's PaymentIntents, refunds, application fees and disputes.
    at_stripe = {user: stripe_totals(cb, account) for user, account in (await accounts(cb)).items()}
    assert at_stripe[VICTOR].disputes == 1 and at_stripe[VERA].refunds == 40_00
    assert ops["text"].splitlines()[2:] == [
        f"<@{VERA}>: {figures(at_stripe[VERA])}",
        f"<@{VICTOR}>: {figures(at_stripe[VICTOR])}",
    ]
    assert own["text"] == f"Daily digest for {label}, <@{VERA}>: {figures(at_stripe[VERA])}"
    async with cb.sessions() as session:
        runs = (await session.scalars(select(DigestRun.day))).all()
        keys = (
            await session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("digest:%"))
            )
        ).all()
    assert list(runs) == [day]
    assert sorted(keys) == [f"digest:{day}:ops", f"digest:{day}:vendor:{_account(ops, VERA)}"]
    mine = await accounts(cb)
    assert (_account(ops, VICTOR), _account(own, VERA)) == (mine[VICTOR], mine[VERA])
    await cb.settled()
    assert len(await digests_in(cb, OPS_CHANNEL)) == 1
    assert len(await digests_in(cb, VERA_CHANNEL)) == 1


def _account(message: dict[str, Any], user: str) -> str:
    """The `acct_…` shown next to `user` in the digest's blocks, which must link to its Connect
    page in the Dashboard (test form: the harness's accounts are test ones)."""
    for block in message["blocks"]:
        text = (block.get("text") or {}).get("text", "")
        if text.startswith(f"*<@{user}>*"):
            account = text.split("|")[1].split(">")[0]
            url = f"https://dashboard.stripe.com/test/connect/accounts/{account}"
            assert text.startswith(f"*<@{user}>* · <{url}|{account}>\n"), text
            return str(account)
    raise AssertionError(f"{user} not in the digest")


async def test_before_digest_time_the_previous_day_is_due_and_a_quiet_day_says_so(
    cb: Connectbot,
) -> None:
    made = await a_busy_day(cb)
    day = made.astimezone(UTC).date()
    services = cb.app[SERVICES]
    # An older installation: connectbot first ran three days before the busy day.
    await record_first_start(services)
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Milestone)
            .where(Milestone.name == "first_start")
            .values(at=made - timedelta(days=3))
        )
    # 08:59 the next morning: the busy day's digest is not due yet; the quiet day before is.
    early = the_morning_after(made, at=time(8, 59))
    assert await digest_pass(services, early) == day - timedelta(days=1)
    [quiet] = await cb.until(lambda: digests_in(cb, OPS_CHANNEL), what="the quiet digest")
    assert (
        quiet["text"].startswith("Daily digest for ")
        and "no charges and no disputes" in quiet["text"]
    )
    assert await digest_pass(services, early + timedelta(minutes=1)) == day
    await cb.until(
        lambda: len_at_least(digests_in(cb, OPS_CHANNEL), 2), what="the busy day's digest"
    )
    # Nothing for the quiet day went to Vera's channel; the busy day's did.
    [own] = await cb.until(lambda: digests_in(cb, VERA_CHANNEL), what="Vera's digest")
    assert "gross $150.00" in own["text"]
    vera_account = (await accounts(cb))[VERA]
    assert own["text"].endswith(f"<@{VERA}>: {figures(stripe_totals(cb, vera_account))}")


async def test_no_digest_for_a_day_before_connectbot_first_started(cb: Connectbot) -> None:
    made = await a_busy_day(cb)
    day = made.astimezone(UTC).date()
    services = cb.app[SERVICES]
    first = await record_first_start(services)  # recorded when the server started
    assert first <= made
    # The first morning: the day before connectbot ever ran is due, but it knew nothing of it.
    early = the_morning_after(made, at=time(8, 59))
    assert await digest_pass(services, early) is None
    assert await digest_pass(services, early - timedelta(days=5)) is None
    async with cb.sessions() as session:
        assert (await session.scalars(select(DigestRun.day))).all() == []
    # The first day it ran has its digest; a restart does not move the first start.
    assert await digest_pass(services, early + timedelta(minutes=1)) == day
    assert await record_first_start(services) == first
    [ops] = await cb.until(lambda: digests_in(cb, OPS_CHANNEL), what="the first digest")
    assert "no charges" not in ops["text"] and "gross $150.00" in ops["text"]
    await cb.settled()
    assert len(await digests_in(cb, OPS_CHANNEL)) == 1


async def len_at_least(found: Any, n: int) -> bool:
    return len(await found) >= n
