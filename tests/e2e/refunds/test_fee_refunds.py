"""Fee refunds recorded as Stripe made them: /fees matches Stripe's application fee to the cent.

A refund the vendor makes in their Dashboard returns none of the platform's fee; the platform
may refund fee separately; a later /refund returns its own proportion of the fee only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from sqlalchemy import select

from bot.services import SERVICES
from storage.models import Charge, Refund, StripeEvent, Vendor
from storage.repos import charges
from tests.e2e.deliveries import dashboard_refund, refund_command
from tests.e2e.scenario import (
    charge_row,
    charge_through_modal,
    connected_vendor,
    customer_with_card,
)
from tests.harness import OPERATOR, Connectbot

VERA = "U0VERA"
VENDOR_CHANNEL = "C0VERA"


async def charged(cb: Connectbot) -> tuple[Charge, Vendor]:
    """A succeeded $100 charge for Vera (fee 10%: $10)."""
    vendor = await connected_vendor(cb, VERA, channel_id=VENDOR_CHANNEL)
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    assert charge.status == "succeeded"
    await cb.events_handled()
    return charge, vendor


async def fees_line(cb: Connectbot) -> str:
    """Vera's line of `/fees today`."""
    reply = await cb.slack_sender.command("/fees", "today", user_id=OPERATOR)
    key = str(reply.response_key)
    [response] = await cb.until(lambda: cb.slack.responses(key), what="the fee summary")
    [line] = [ln for ln in str(response["text"]).splitlines() if VERA in ln]
    return line


async def stripe_fee(cb: Connectbot, charge: Charge) -> dict[str, int | str]:
    """The charge's application fee on the fake Stripe: id, amount, amount refunded."""
    api = cb.app[SERVICES].stripe.api.v1
    [fee] = (await api.application_fees.list_async(params={"charge": charge.stripe_charge_id})).data
    return {"id": fee.id, "amount": fee.amount, "amount_refunded": fee.amount_refunded}


async def refund_fees(cb: Connectbot) -> list[tuple[int, int, str]]:
    async with cb.sessions() as session:
        rows = (await session.scalars(select(Refund).order_by(Refund.id))).all()
    return [(r.amount, r.fee_refunded, r.requested_by) for r in rows]


async def test_a_dashboard_refund_keeps_the_fee_and_a_separate_fee_refund_is_recorded(
    cb: Connectbot,
) -> None:
    charge, vendor = await charged(cb)
    await dashboard_refund(cb, vendor.stripe_account_id, str(charge.stripe_charge_id), 2_500)
    await cb.settled()  # the announcement is sent too, before the test reads it
    fee = await stripe_fee(cb, charge)
    assert fee["amount_refunded"] == 0  # Stripe refunded no fee with it
    assert (await charge_row(cb, charge.id)).fee_refunded == 0
    assert await refund_fees(cb) == [(2_500, 0, "stripe")]
    [announced] = [
        m["text"]
        for m in await cb.slack.messages(VENDOR_CHANNEL)
        if "outside connectbot" in m.get("text", "")
    ]
    assert "platform fee refunded $0.00" in announced
    # The platform kept its whole $10.00: net to the vendor is 100 - 25 - 10.
    assert await fees_line(cb) == (
        f"<@{VERA}>: 1 charge, gross $100.00, platform fees $10.00, refunds $25.00, "
        "net to vendor $65.00"
    )

    # The platform then refunds $2.50 of its fee by itself.
    api = cb.app[SERVICES].stripe.api.v1
    await api.application_fees.refunds.create_async(str(fee["id"]), params={"amount": 250})
    await cb.events_handled()
    assert (await stripe_fee(cb, charge))["amount_refunded"] == 250
    assert (await charge_row(cb, charge.id)).fee_refunded == 250
    assert await fees_line(cb) == (
        f"<@{VERA}>: 1 charge, gross $100.00, platform fees $7.50, refunds $25.00, "
        "net to vendor $67.50"
    )


async def test_a_refund_after_a_dashboard_refund_returns_only_its_own_share(
    cb: Connectbot,
) -> None:
    charge, vendor = await charged(cb)
    await dashboard_refund(cb, vendor.stripe_account_id, str(charge.stripe_charge_id), 2_500)
    await cb.events_handled()
    # $40 of $100 returns $4.00 of the fee: its own proportion, not one that assumes the
    # Dashboard refund returned its share too ($6.50).
    assert "platform fee refunded $4.00" in await refund_command(cb, f"{charge.id} 40")
    assert (await charge_row(cb, charge.id)).fee_refunded == 400
    assert "platform fees $6.00" in await fees_line(cb)
    # The $35 left returns its own share too ($3.50): Stripe refunds the fee in proportion to
    # each refund, so the $2.50 share of the Dashboard refund stays with the platform.
    assert "platform fee refunded $3.50" in await refund_command(cb, charge.id)
    await cb.events_handled()
    fee = await stripe_fee(cb, charge)
    assert (fee["amount"], fee["amount_refunded"]) == (1_000, 750)
    row = await charge_row(cb, charge.id)
    assert (row.amount_refunded, row.fee_refunded) == (10_000, 750)
    assert await refund_fees(cb) == [
        (2_500, 0, "stripe"),
        (4_000, 400, OPERATOR),
        (3_500, 350, OPERATOR),
    ]
    assert "platform fees $2.50" in await fees_line(cb)


async def fee_reads(cb: Connectbot) -> int:
    """How many times connectbot has asked Stripe for an application fee (answered or not)."""
    return sum(r["path"] == "/v1/application_fees" for r in await cb.stripe.requests())


async def test_a_slow_fee_read_keeps_no_writer_waiting(cb: Connectbot) -> None:
    """The fee of a Dashboard refund is read before the event's transaction: while Stripe takes
    its time, another writer can lock the charge at once (no Stripe call holds a lock)."""
    charge, vendor = await charged(cb)
    before = await fee_reads(cb)
    await cb.stripe.fault("GET", "/v1/application_fees", "timeout", seconds=4)
    await dashboard_refund(cb, vendor.stripe_account_id, str(charge.stripe_charge_id), 2_500)
    await cb.until(lambda: _more(fee_reads(cb), before), what="the fee read to start hanging")
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with cb.app[SERVICES].sessions.begin() as session:
        assert await charges.lock(session, charge.id) is not None
    assert loop.time() - started < 2  # not the 4 s Stripe hangs
    assert await refund_fees(cb) == []  # the refund is still being handled
    await cb.events_handled(timeout=15)
    assert await refund_fees(cb) == [(2_500, 0, "stripe")]


async def test_a_failed_fee_read_writes_nothing_and_the_event_is_handled_again(
    cb: Connectbot,
) -> None:
    charge, vendor = await charged(cb)
    # Three failures defeat the first handling (one try and the client's two retries).
    await cb.stripe.fault("GET", "/v1/application_fees", "500", count=3)
    await dashboard_refund(cb, vendor.stripe_account_id, str(charge.stripe_charge_id), 2_500)

    async def refunded_event() -> StripeEvent | None:
        async with cb.sessions() as session:
            found = await session.scalars(
                select(StripeEvent).where(StripeEvent.type == "charge.refunded")
            )
            return next(iter(found), None)

    failed = await cb.until(
        lambda: _failed_once(refunded_event()), what="the first handling to fail"
    )
    assert failed.processed_at is None and await refund_fees(cb) == []  # nothing half-written
    await cb.settled()
    handled = await refunded_event()
    assert handled is not None and handled.processed_at is not None
    assert await refund_fees(cb) == [(2_500, 0, "stripe")]  # recorded once
    [announced] = [
        m for m in await cb.slack.messages(VENDOR_CHANNEL) if "outside connectbot" in m["text"]
    ]
    assert "platform fee refunded $0.00" in announced["text"]


async def _more(count: Awaitable[int], than: int) -> bool:
    return await count > than


async def _failed_once(event: Awaitable[StripeEvent | None]) -> StripeEvent | None:
    found = await event
    return found if found is not None and found.attempts >= 1 and found.last_error else None
