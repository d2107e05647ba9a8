"""A saved error Stripe replays under the key is looked up at once, not replayed for an hour.

Stripe saves a request's answer once its endpoint began executing, 500s included, and replays it
(`Idempotent-Replayed: true`) to every retry with the key: the fake's `500_after_commit`. Such a
charge or refund is looked up at the next reconciler pass whatever its age, and adopted; an
ordinary 500 (refused before the endpoint ran, nothing saved) is still replayed with its key.
Webhooks are not delivered, so only the reconciler settles anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.refunds.requests import reconcile_refunds
from bot.services import SERVICES
from storage.models import Charge, Refund
from tests.e2e.charges.test_charge_outcomes import charge_with
from tests.e2e.charges.test_reconcile_after_key_expiry import (
    RETRIES,
    age_charge,
    assert_refund_adopted,
    gave_up_notes,
    paths,
    pending_charge,
    posts,
    reconcile_one,
    refund_row,
)
from tests.e2e.refunds.test_refund import VENDOR_CHANNEL, charged
from tests.e2e.scenario import (
    assert_db_matches_stripe,
    charge_left_pending,
    charges_in_db,
    intent_creates,
    refund,
    stripe_state,
    vendor_payment_intents,
)
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot, running_connectbot


@pytest.fixture
async def cb(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, deliver_webhooks=False) as running:
        yield running


async def test_a_replayed_500_on_a_declined_card_is_adopted_as_the_decline(
    cb: Connectbot,
) -> None:
    await cb.stripe.fault("POST", "/v1/payment_intents", "500_after_commit")
    account, _ = await charge_with(cb, "pm_card_chargeDeclined")
    row = await charge_left_pending(cb)
    assert row.status == "pending" and row.failure_code == "replayed_error"

    assert await reconcile_one(cb) == "failed"
    assert len(await intent_creates(cb)) == RETRIES  # looked up, not replayed
    [settled] = await charges_in_db(cb)
    [intent] = await vendor_payment_intents(cb, account)
    assert settled.payment_intent_id == intent["id"]
    assert settled.failure_code == "generic_decline"

    async def told() -> list[dict[str, Any]]:
        # Minutes after /charge: through its response URL, privately, as a Stripe answer would.
        answers = [r for r in await cb.slack.responses("") if r.get("ok")]
        return [r for r in answers if "Your card was declined." in r.get("text", "")]

    [note] = await cb.until(told, what="the decline message")
    assert "generic_decline" in note["text"]
    assert await posts(cb, OPS_CHANNEL, "Charged") == []
    await assert_db_matches_stripe(cb, account)


async def test_an_ordinary_500_is_still_replayed_with_its_key(
    cb: Connectbot,
) -> None:
    account, row = await pending_charge(cb, "500")  # refused before the endpoint ran
    assert row.failure_code is None  # nothing was replayed: nothing to look up
    assert await reconcile_one(cb) == "succeeded"
    creates = await intent_creates(cb)
    assert [c["status"] for c in creates] == [500] * RETRIES + [200]
    assert {c["idempotency_key"] for c in creates} == {row.idempotency_key}
    assert not paths(await cb.stripe.requests(), "GET", "/v1/payment_intents/search")
    assert len(await vendor_payment_intents(cb, account)) == 1
    await assert_db_matches_stripe(cb, account)


async def test_a_replayed_error_with_nothing_on_stripe_waits_then_fails_after_23_hours(
    cb: Connectbot,
) -> None:
    # As if Stripe had saved an error for a request that made nothing: a replay could only
    # get that error again, so the charge waits for a lookup to find something.
    account, row = await pending_charge(cb, "500")
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Charge).where(Charge.id == row.id).values(failure_code="replayed_error")
        )
    assert await reconcile_one(cb) == "pending"
    assert len(await intent_creates(cb)) == RETRIES  # not sent again
    [waiting] = await charges_in_db(cb)
    assert waiting.failure_code == "replayed_error" and waiting.attempts == row.attempts + 1

    await age_charge(cb, row.id, timedelta(hours=23, minutes=1))
    assert await reconcile_one(cb) == "failed"
    [failed] = await charges_in_db(cb)
    assert failed.failure_code == "not_found_after_key_expiry"
    assert len(await intent_creates(cb)) == RETRIES
    assert await vendor_payment_intents(cb, account) == []
    assert len(await cb.until(lambda: gave_up_notes(cb), what="the requester told")) == 1


async def test_a_refund_answered_with_a_replayed_500_is_adopted_at_the_next_pass(
    cb: Connectbot,
) -> None:
    charge, vendor = await charged(cb)
    await cb.stripe.fault("POST", "/v1/refunds", "500_after_commit")
    answer = await refund(cb, f"{charge.id} 25")
    assert "look it up on Stripe" in answer
    async with cb.sessions() as session:
        [row] = (await session.scalars(select(Refund))).all()
    assert row.status == "pending" and row.failure_message == "replayed_error"
    refunds_sent = paths(await cb.stripe.requests(), "POST", "/v1/refunds")
    assert [r["status"] for r in refunds_sent] == [500] * RETRIES
    assert all(r.get("replayed") for r in refunds_sent[1:])

    # Seconds old, not an hour: looked up (the list is consistent at once) and adopted.
    settled = await assert_refund_adopted(cb, charge, vendor, row)
    assert settled.failure_message is None
    assert len(await posts(cb, VENDOR_CHANNEL, "refunded")) == 1
    assert await posts(cb, f"D{OPERATOR}", "was not made") == []


async def test_a_refund_answered_with_an_ordinary_500_is_replayed_with_its_key(
    cb: Connectbot,
) -> None:
    charge, vendor = await charged(cb)
    await cb.stripe.fault("POST", "/v1/refunds", "500", count=RETRIES)
    assert "will retry it with the same key" in await refund(cb, f"{charge.id} 25")
    async with cb.sessions() as session:
        [row] = (await session.scalars(select(Refund))).all()
    assert row.status == "pending" and row.failure_message is None

    assert await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0)) == 1
    assert (await refund_row(cb, row.id)).status == "succeeded"
    log = await cb.stripe.requests()
    sent = paths(log, "POST", "/v1/refunds")
    assert [r["status"] for r in sent] == [500] * RETRIES + [200]
    assert {r["idempotency_key"] for r in sent} == {row.idempotency_key}
    assert not paths(log, "GET", "/v1/refunds")
    assert await stripe_state(cb, charge, vendor) == (2_500, 250)
