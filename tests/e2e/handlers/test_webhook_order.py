"""Webhooks that come early, twice or late: nothing is dropped, nothing is doubled.

Each test makes Stripe's events with the fake (which delivers none here) and posts them itself
in the order that test is about. The property test over whole scenarios in random orders is in
test_webhook_order_property.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.charges.outcomes import apply_attempt
from bot.refunds.requests import reconcile_refunds
from bot.services import SERVICES
from bot.stripe_ops.charges import send_payment_intent
from storage.models import AuditEntry, Refund, StripeEvent, Vendor
from storage.repos import charges
from tests.e2e.deliveries import (
    charge_without_answer,
    dashboard_refund,
    deauthorize,
    new_events,
    of_type,
    post_event,
    refund_command,
    slack_posts,
    stored_event,
)
from tests.e2e.scenario import (
    charge_row,
    charge_through_modal,
    connected_vendor,
    customer_with_card,
)
from tests.harness import FAST, OPERATOR, OPS_CHANNEL, Connectbot, running_connectbot

VENDOR = "U0VENDOR1"
VENDOR_CHANNEL = "C0VENDORS"
SUCCESS = "Charged $100.00"  # how the success announcement starts
DM = f"D{VENDOR}"


@pytest.fixture
async def cb(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, deliver_webhooks=False) as running:
        yield running


async def ready(cb: Connectbot) -> tuple[Vendor, set[str]]:
    """A connected vendor and a customer with a card; their events delivered in order."""
    vendor = await connected_vendor(cb, VENDOR, channel_id=VENDOR_CHANNEL)
    await customer_with_card(cb, "jane@example.com")
    seen: set[str] = set()
    for event in await new_events(cb, seen):
        await post_event(cb, event)
    await cb.settled()
    return vendor, seen


async def refunds_of(cb: Connectbot) -> list[tuple[int, int, str, str]]:
    async with cb.sessions() as session:
        rows = (await session.scalars(select(Refund).order_by(Refund.id))).all()
    return [(r.amount, r.fee_refunded, r.status, r.requested_by) for r in rows]


def texts(posts: list[tuple[str, str]], channel: str, word: str) -> list[str]:
    return [text for where, text in posts if where == channel and word in text]


async def test_a_success_before_the_answer_settles_the_pending_charge_once(
    cb: Connectbot,
) -> None:
    _vendor, seen = await ready(cb)
    charge = await charge_without_answer(cb, VENDOR)
    events = await new_events(cb, seen)
    succeeded = of_type(events, "payment_intent.succeeded")
    await post_event(cb, succeeded)
    await post_event(cb, succeeded)  # and again: a duplicate delivery
    await cb.settled()

    row = await charge_row(cb, charge.id)
    intent = succeeded["data"]["object"]
    assert (row.status, row.payment_intent_id) == ("succeeded", intent["id"])
    assert row.stripe_charge_id == intent["latest_charge"]

    # The listener's answer, arriving now, changes nothing and announces nothing.
    services = cb.app[SERVICES]
    assert row.request_params is not None
    late = await send_payment_intent(
        services.stripe, row.request_params, idempotency_key=row.idempotency_key
    )
    assert late.outcome == "succeeded"
    async with services.sessions.begin() as session:
        assert not await apply_attempt(session, services.settings, charge.id, late, actor=OPERATOR)
    await cb.settled()
    posts = await slack_posts(cb)
    assert len(texts(posts, VENDOR_CHANNEL, SUCCESS)) == 1
    assert len(texts(posts, DM, SUCCESS)) == 1


async def test_a_refund_before_the_charge_is_recorded_waits_for_it(cb: Connectbot) -> None:
    vendor, seen = await ready(cb)
    charge = await charge_without_answer(cb, VENDOR)
    made = await new_events(cb, seen)
    stripe_charge = of_type(made, "charge.succeeded")["data"]["object"]["id"]
    await dashboard_refund(cb, vendor.stripe_account_id, stripe_charge, 2_500)
    refunded = of_type(await new_events(cb, seen), "charge.refunded")

    await post_event(cb, refunded)  # before connectbot knows the charge succeeded
    waiting = await cb.until(
        lambda: _waiting(cb, refunded["id"]), what="the refund event to wait for its charge"
    )
    assert waiting.last_error is not None and waiting.last_error.startswith("waiting:")
    assert (await charge_row(cb, charge.id)).status == "pending"
    assert await refunds_of(cb) == []

    await post_event(cb, of_type(made, "payment_intent.succeeded"))
    await cb.settled()
    assert (await stored_event(cb, refunded["id"])).processed_at is not None
    row = await charge_row(cb, charge.id)
    assert (row.status, row.amount_refunded, row.fee_refunded) == ("succeeded", 2_500, 0)
    assert await refunds_of(cb) == [(2_500, 0, "succeeded", "stripe")]
    posts = await slack_posts(cb)
    assert len(texts(posts, VENDOR_CHANNEL, SUCCESS)) == 1
    [outside] = texts(posts, VENDOR_CHANNEL, "outside connectbot")
    assert "$25.00 of $100.00" in outside and "platform fee refunded $0.00" in outside


async def _waiting(cb: Connectbot, event_id: str) -> StripeEvent | None:
    """The stored event once it has been tried and put off, not handled."""
    event = await stored_event(cb, event_id)
    return event if event.attempts >= 1 and event.processed_at is None else None


async def test_an_event_whose_charge_never_comes_fails_only_at_the_bound(
    cb: Connectbot,
) -> None:
    vendor, seen = await ready(cb)
    await charge_without_answer(cb, VENDOR)
    stripe_charge = of_type(await new_events(cb, seen), "charge.succeeded")["data"]["object"]
    await dashboard_refund(cb, vendor.stripe_account_id, stripe_charge["id"], 1_000)
    refunded = of_type(await new_events(cb, seen), "charge.refunded")
    await post_event(cb, refunded)
    bound = FAST.events.retry.max_attempts

    async def given_up() -> bool:
        return (await stored_event(cb, refunded["id"])).attempts >= bound

    await cb.until(given_up, timeout=15, what="the event to reach its bound of attempts")
    event = await stored_event(cb, refunded["id"])
    assert event.processed_at is None and event.attempts == bound
    assert str(event.last_error).startswith("waiting:")
    assert await refunds_of(cb) == []


async def test_a_fee_refund_before_its_charge_refund_is_attributed_to_it(
    cb: Connectbot,
) -> None:
    vendor, seen = await ready(cb)
    charge = await charge_through_modal(cb, f"<@{VENDOR}> 100.00 jane@example.com", user=OPERATOR)
    await new_events(cb, seen)  # the charge's own events: recorded by the listener already
    # A platform script refunds $25 with the fee ($2.50); the fee's event comes first.
    stripe_charge = str(charge.stripe_charge_id)
    await dashboard_refund(cb, vendor.stripe_account_id, stripe_charge, 2_500, with_fee=True)
    events = await new_events(cb, seen)
    await post_event(cb, of_type(events, "application_fee.refunded"))
    await cb.settled()
    assert (await charge_row(cb, charge.id)).fee_refunded == 250
    await post_event(cb, of_type(events, "charge.refunded"))
    await post_event(cb, of_type(events, "application_fee.refunded"))
    await cb.settled()

    row = await charge_row(cb, charge.id)
    assert (row.amount_refunded, row.fee_refunded) == (2_500, 250)
    assert await refunds_of(cb) == [(2_500, 250, "succeeded", "stripe")]
    [outside] = texts(await slack_posts(cb), VENDOR_CHANNEL, "outside connectbot")
    assert "platform fee refunded $2.50" in outside


async def test_events_of_a_refund_whose_answer_was_lost_wait_for_it(cb: Connectbot) -> None:
    _vendor, seen = await ready(cb)
    charge = await charge_through_modal(cb, f"<@{VENDOR}> 100.00 jane@example.com", user=OPERATOR)
    await new_events(cb, seen)
    await cb.stripe.fault("POST", "/v1/refunds", "drop", count=3)
    assert "will retry it with the same key" in await refund_command(cb, f"{charge.id} 40")
    events = await new_events(cb, seen)
    refunded = of_type(events, "charge.refunded")
    await post_event(cb, of_type(events, "application_fee.refunded"))
    await post_event(cb, refunded)
    await cb.until(lambda: _waiting(cb, refunded["id"]), what="the refund event to wait")
    assert (await charge_row(cb, charge.id)).amount_refunded == 0

    assert await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0)) == 1
    await cb.settled()
    row = await charge_row(cb, charge.id)
    assert (row.amount_refunded, row.fee_refunded) == (4_000, 400)
    assert await refunds_of(cb) == [(4_000, 400, "succeeded", OPERATOR)]
    posts = await slack_posts(cb)
    assert not texts(posts, VENDOR_CHANNEL, "outside connectbot")
    [announced] = texts(posts, VENDOR_CHANNEL, "refunded")
    assert "$40.00 of $100.00" in announced and "platform fee refunded $4.00" in announced


@pytest.mark.parametrize("revoked", [False, True], ids=["readable", "revoked"])
async def test_a_dispute_before_the_success_names_the_connectbot_charge(
    cb: Connectbot, revoked: bool
) -> None:
    vendor, seen = await ready(cb)
    charge = await charge_without_answer(cb, VENDOR)
    made = await new_events(cb, seen)
    stripe_charge = of_type(made, "charge.succeeded")["data"]["object"]["id"]
    await cb.stripe.dispute(stripe_charge)
    if revoked:  # connectbot can no longer read the charge: it waits for the success instead
        await deauthorize(cb, vendor.stripe_account_id)
    disputed = of_type(await new_events(cb, seen), "charge.dispute.created")

    await post_event(cb, disputed)
    if revoked:
        await cb.until(lambda: _waiting(cb, disputed["id"]), what="the dispute to wait")
    else:
        await cb.settled()
    await post_event(cb, of_type(made, "payment_intent.succeeded"))
    await cb.settled()

    async with cb.sessions() as session:
        audits = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "dispute.created"))
        ).all()
    assert [a.target for a in audits] == [charge.id]
    posts = [c["params"] for c in await cb.posted() if "Dispute" in c["params"]["text"]]
    assert sorted(p["channel"] for p in posts) == sorted([VENDOR_CHANNEL, OPS_CHANNEL, DM])
    assert all(charge.id in p["text"] for p in posts)


async def test_a_slow_read_of_a_disputed_charge_keeps_no_writer_waiting(cb: Connectbot) -> None:
    """The disputed charge is read from the vendor's account before the event's transaction:
    while Stripe takes its time, another writer gets its transaction at once."""
    _, seen = await ready(cb)
    charge = await charge_without_answer(cb, VENDOR)
    made = await new_events(cb, seen)
    stripe_charge = of_type(made, "charge.succeeded")["data"]["object"]["id"]
    await cb.stripe.dispute(stripe_charge)
    read_path = f"/v1/charges/{stripe_charge}"
    await cb.stripe.fault("GET", read_path, "timeout", seconds=4)
    await post_event(cb, of_type(await new_events(cb, seen), "charge.dispute.created"))

    async def read_started() -> bool:
        return any(r["path"] == read_path for r in await cb.stripe.requests())

    await cb.until(read_started, what="the read of the disputed charge to start hanging")
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with cb.app[SERVICES].sessions.begin() as session:
        assert await charges.lock(session, charge.id) is not None
    assert loop.time() - started < 2  # not the 4 s Stripe hangs
    await cb.settled()
    async with cb.sessions() as session:
        audits = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "dispute.created"))
        ).all()
    assert [a.target for a in audits] == [charge.id]  # named by the metadata read, once
