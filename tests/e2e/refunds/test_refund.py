"""/refund end to end, and the refund, dispute and fee webhooks: the money agrees to the cent."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.refunds.requests import reconcile_refunds
from bot.services import SERVICES
from storage.models import ApplicationFee, Charge, Refund, Vendor
from tests.e2e.scenario import (
    charge_row,
    charge_through_modal,
    connected_vendor,
    customer_with_card,
    refund,
    stripe_state,
)
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot

VENDOR = "U0VENDOR1"
VENDOR_CHANNEL = "C0VENDORS"


async def charged(cb: Connectbot, amount: str = "100.00") -> tuple[Charge, Vendor]:
    """A succeeded $100 charge made through /charge (fee 10%: $10)."""
    vendor = await connected_vendor(cb, VENDOR, channel_id=VENDOR_CHANNEL)
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(
        cb, f"<@{VENDOR}|vera> {amount} jane@example.com", user=OPERATOR
    )
    assert charge.status == "succeeded"
    return charge, vendor


async def channel_texts(cb: Connectbot, channel: str, word: str) -> list[str]:
    return [m["text"] for m in await cb.posts_mentioning(channel, word)]


async def test_partial_then_remaining_refund_returns_exactly_the_fee(cb: Connectbot) -> None:
    charge, vendor = await charged(cb)
    first = await refund(cb, f"{charge.id} 40")
    assert "Refunded $40.00" in first and "platform fee refunded $4.00" in first
    second = await refund(cb, str(charge.payment_intent_id))  # the rest, by PaymentIntent id
    assert "Refunded $60.00" in second and "platform fee refunded $6.00" in second

    await cb.events_handled()
    after = await charge_row(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (10_000, 1_000)
    assert await stripe_state(cb, charge, vendor) == (10_000, 1_000)
    async with cb.sessions() as session:
        refunds = (await session.scalars(select(Refund).order_by(Refund.id))).all()
        [fee] = (await session.scalars(select(ApplicationFee))).all()
    assert [(r.amount, r.fee_refunded, r.status) for r in refunds] == [
        (4_000, 400, "succeeded"),
        (6_000, 600, "succeeded"),
    ]
    assert (fee.amount, fee.amount_refunded) == (1_000, 1_000)

    async def two_announcements() -> list[str]:
        texts = await channel_texts(cb, VENDOR_CHANNEL, "refunded")
        return texts if len(texts) == 2 else []

    texts = await cb.until(two_announcements, what="both refund announcements")
    assert "$40.00 of $100.00 refunded" in texts[0] and "$60.00 remains" in texts[0]
    assert "$60.00 of $100.00 refunded" in texts[1] and "nothing remains" in texts[1]
    assert "the whole $100.00 is refunded" in texts[1] and "whole" not in texts[0]
    assert not await channel_texts(cb, VENDOR_CHANNEL, "outside connectbot")


async def test_a_refund_beyond_what_remains_is_refused_without_calling_stripe(
    cb: Connectbot,
) -> None:
    charge, vendor = await charged(cb)
    assert "Refunded $70.00" in await refund(cb, f"{charge.id} 70")
    answer = await refund(cb, f"{charge.id} 30.01")
    assert "more than what remains to refund ($30.00)" in answer
    answer = await refund(cb, f"{charge.id} 150")
    assert "more than what remains to refund ($30.00)" in answer
    posts = [
        r
        for r in await cb.stripe.requests()
        if r["method"] == "POST" and r["path"] == "/v1/refunds"
    ]
    assert len(posts) == 1
    assert await stripe_state(cb, charge, vendor) == (7_000, 700)


async def test_refund_refusals(cb: Connectbot) -> None:
    charge, _ = await charged(cb)
    assert "Only connectbot operators" in await refund(cb, charge.id, user="U0NOBODY")
    assert "No connectbot charge" in await refund(cb, "pi_doesnotexist123")
    answer = await refund(cb, f"{charge.id} 10 eur")
    assert "USD" in answer
    assert "Usage" in await refund(cb, "help")
    assert not [r for r in await cb.stripe.requests() if r["path"] == "/v1/refunds"]


async def test_a_refund_made_outside_connectbot_is_recorded_and_announced(cb: Connectbot) -> None:
    charge, vendor = await charged(cb)
    api = cb.app[SERVICES].stripe.api.v1
    await api.refunds.create_async(  # as someone would in the Stripe Dashboard
        params={
            "charge": str(charge.stripe_charge_id),
            "amount": 2_500,
            "refund_application_fee": True,
        },
        options={"stripe_account": vendor.stripe_account_id},
    )
    texts = await cb.until(
        lambda: channel_texts(cb, VENDOR_CHANNEL, "outside connectbot"), what="the announcement"
    )
    assert len(texts) == 1 and "$25.00 of $100.00" in texts[0]
    await cb.events_handled()
    after = await charge_row(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (2_500, 250)
    assert "Refunded $75.00" in await refund(cb, charge.id)  # what remains, exactly
    await cb.events_handled()
    assert await stripe_state(cb, charge, vendor) == (10_000, 1_000)
    assert len(await channel_texts(cb, VENDOR_CHANNEL, "outside connectbot")) == 1


async def test_a_dispute_reaches_the_vendor_channel_ops_and_the_vendor(cb: Connectbot) -> None:
    charge, _ = await charged(cb)
    await cb.stripe.dispute(str(charge.stripe_charge_id))

    async def everywhere() -> list[dict[str, Any]]:
        posts = [c for c in await cb.posted() if "Dispute" in c["params"]["text"]]
        return posts if len(posts) >= 3 else []

    posts = await cb.until(everywhere, what="the dispute in three places")
    channels = sorted(p["params"]["channel"] for p in posts)
    assert channels == sorted([VENDOR_CHANNEL, OPS_CHANNEL, f"D{VENDOR}"])
    text = posts[0]["params"]["text"]
    assert "$100.00" in text and "fraudulent" in text and "Evidence due by 20" in text
    assert charge.id in text


async def test_a_retried_refund_command_is_one_refund(cb: Connectbot) -> None:
    """The same command delivered twice (same trigger id) is one refund and one answer."""
    charge, vendor = await charged(cb)
    first = await cb.slack_sender.command("/refund", f"{charge.id} 10", user_id=OPERATOR)
    key = str(first.response_key)
    await cb.until(lambda: cb.slack.responses(key), what="the first answer")
    retry = await cb.command_as_sent(
        "/refund",
        f"{charge.id} 10",
        trigger_id=str(first.trigger_id),
        response_url=cb.slack_sender.response_url(key, channel_id="C_GENERAL", user_id=OPERATOR),
    )
    assert retry.status == 200
    await asyncio.sleep(0.5)  # the retry's work is done after its ack
    assert len(await cb.slack.responses(key)) == 1  # the first answer stands alone
    posts = [r for r in await cb.stripe.requests() if r["path"] == "/v1/refunds"]
    assert len(posts) == 1
    assert await stripe_state(cb, charge, vendor) == (1_000, 100)


async def test_reconcilers_of_several_processes_replay_a_refund_once(cb: Connectbot) -> None:
    """Each process's reconciler finds the same stale refund; the claim lets one replay it."""
    charge, vendor = await charged(cb)
    await cb.stripe.fault("POST", "/v1/refunds", "drop", count=3)
    assert "will retry it with the same key" in await refund(cb, f"{charge.id} 25")

    services = cb.app[SERVICES]
    tried = await asyncio.gather(
        *(reconcile_refunds(services, grace=timedelta(0)) for _ in range(3))
    )
    assert sorted(tried) == [0, 0, 1]
    posts = [r for r in await cb.stripe.requests() if r["path"] == "/v1/refunds"]
    assert len(posts) == 4  # the three lost answers, then one replay
    await cb.events_handled()
    assert await stripe_state(cb, charge, vendor) == (2_500, 250)
    after = await charge_row(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (2_500, 250)


async def test_a_refund_stripe_did_not_answer_is_replayed_once(cb: Connectbot) -> None:
    charge, vendor = await charged(cb)
    # The refund is made, but every answer is lost (the first try and both client retries).
    await cb.stripe.fault("POST", "/v1/refunds", "drop", count=3)
    answer = await refund(cb, f"{charge.id} 25")
    assert "will retry it with the same key" in answer
    assert (await charge_row(cb, charge.id)).amount_refunded == 0

    reconciled = await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0))
    assert reconciled == 1
    posts = [r for r in await cb.stripe.requests() if r["path"] == "/v1/refunds"]
    assert len(posts) == 4 and len({p["idempotency_key"] for p in posts}) == 1
    assert posts[-1].get("replayed") is True
    await cb.events_handled()
    after = await charge_row(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (2_500, 250)
    assert await stripe_state(cb, charge, vendor) == (2_500, 250)
    texts = await cb.until(
        lambda: channel_texts(cb, VENDOR_CHANNEL, "refunded"), what="the announcement"
    )
    assert len(texts) == 1 and "outside connectbot" not in texts[0]
