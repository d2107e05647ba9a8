"""No double charge or refund once Stripe may have forgotten an idempotency key (24 hours).

Each test leaves a charge or refund `pending` with a fault, ages its row in the database (and,
where the key must be gone, the fake Stripe's clock past 24 hours), runs one reconciliation
pass, and counts what reached Stripe and Slack. Webhooks are not delivered, so only the
reconciler can settle anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.reconcile import reconcile_pending
from bot.refunds.requests import reconcile_refunds
from bot.services import SERVICES
from sandbox.stripe_fake.idempotency import KEY_LIFETIME_SECONDS
from storage.models import AuditEntry, Charge, Refund, ResponseUrl, utcnow
from tests.e2e.charges.test_charge_outcomes import charge_with
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

RETRIES = 3  # the first try and the client's two retries
DAY = timedelta(hours=25)


@pytest.fixture
async def cb(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, deliver_webhooks=False) as running:
        yield running


async def pending_charge(
    cb: Connectbot, fault: str, card: str = "pm_card_visa"
) -> tuple[str, Charge]:
    """A $25 charge left `pending` by `fault` on every try: (vendor account, its row)."""
    await cb.stripe.fault("POST", "/v1/payment_intents", fault, count=RETRIES)
    account, _ = await charge_with(cb, card)
    return account, await charge_left_pending(cb)


async def age_charge(cb: Connectbot, charge_id: str, by: timedelta) -> None:
    """The charge (and the /charge response URL with it) as if made `by` ago."""
    when = utcnow() - by
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Charge).where(Charge.id == charge_id).values(created_at=when, updated_at=when)
        )
        await session.execute(update(ResponseUrl).values(expires_at=when + timedelta(minutes=29)))
    await cb.slack.advance_clock(by.total_seconds())


async def reconcile_one(cb: Connectbot) -> str:
    [(_, status)] = await reconcile_pending(cb.app[SERVICES], grace=timedelta(0))
    return status


async def posts(cb: Connectbot, channel: str, word: str) -> list[dict[str, Any]]:
    return [
        c["params"]
        for c in await cb.posted()
        if c["params"]["channel"] == channel
        if word in c["params"].get("text", "")
    ]


async def gave_up_notes(cb: Connectbot) -> list[dict[str, Any]]:
    notes = [c["params"] for c in await cb.posted("chat.postMessage")]
    return [n for n in notes if "gave up" in n.get("text", "")]


def paths(log: list[dict[str, Any]], method: str, path: str) -> list[dict[str, Any]]:
    return [r for r in log if r["method"] == method and r["path"] == path]


async def test_a_lost_answer_a_day_later_adopts_the_existing_payment_intent(
    cb: Connectbot,
) -> None:
    account, row = await pending_charge(cb, "drop")  # made on Stripe; every answer lost
    await age_charge(cb, row.id, DAY)
    await cb.stripe.advance_clock(KEY_LIFETIME_SECONDS + 60)  # the key is gone on Stripe

    assert await reconcile_one(cb) == "succeeded"
    assert len(await intent_creates(cb)) == RETRIES  # no replay under the pruned key
    [intent] = await vendor_payment_intents(cb, account)
    [settled] = await charges_in_db(cb)
    assert settled.payment_intent_id == intent["id"] and intent["status"] == "succeeded"
    log = await cb.stripe.requests()
    assert paths(log, "GET", "/v1/payment_intents/search")
    charged = await cb.until(lambda: posts(cb, OPS_CHANNEL, "Charged"), what="the confirmation")
    assert len(charged) == 1
    assert await reconcile_pending(cb.app[SERVICES], grace=timedelta(0)) == []
    assert len(await posts(cb, OPS_CHANNEL, "Charged")) == 1
    await assert_db_matches_stripe(cb, account)


@pytest.mark.parametrize(
    ("card", "status", "code", "where", "words"),
    [
        # Hours after /charge its response URL has expired: the requester gets a DM.
        ("pm_card_chargeDeclined", "failed", "generic_decline", f"D{OPERATOR}", "was declined"),
        (
            "pm_card_authenticationRequired",
            "requires_action",
            "authentication_required",
            OPS_CHANNEL,
            "authenticate",
        ),
    ],
)
async def test_an_adopted_payment_intent_is_recorded_as_stripes_answer_would_be(
    cb: Connectbot, card: str, status: str, code: str, where: str, words: str
) -> None:
    account, row = await pending_charge(cb, "drop", card)
    await age_charge(cb, row.id, DAY)
    await cb.stripe.advance_clock(KEY_LIFETIME_SECONDS + 60)

    assert await reconcile_one(cb) == status
    [settled] = await charges_in_db(cb)
    assert settled.failure_code == code and settled.payment_intent_id
    assert len(await intent_creates(cb)) == RETRIES

    async def told() -> list[dict[str, Any]]:
        calls = [c["params"] for c in await cb.posted()]
        return [c for c in calls if c["channel"] == where and words in c.get("text", "")]

    assert len(await cb.until(told, what="the outcome message")) == 1
    assert await posts(cb, OPS_CHANNEL, "Charged") == []
    await assert_db_matches_stripe(cb, account)


async def test_the_consistent_list_finds_what_search_does_not_see_yet(cb: Connectbot) -> None:
    account, row = await pending_charge(cb, "drop")
    await age_charge(cb, row.id, timedelta(hours=2))  # looked up first; search lags a minute

    assert await reconcile_one(cb) == "succeeded"
    log = await cb.stripe.requests()
    [search] = paths(log, "GET", "/v1/payment_intents/search")
    assert search["params"]["query"] == f"metadata['connectbot_charge_id']:'{row.id}'"
    [listing] = paths(log, "GET", "/v1/payment_intents")
    assert listing["stripe_account"] == account and listing["params"]["customer"]
    assert len(await intent_creates(cb)) == RETRIES  # adopted, not replayed
    assert len(await cb.until(lambda: posts(cb, OPS_CHANNEL, "Charged"))) == 1
    await assert_db_matches_stripe(cb, account)


async def test_a_charge_that_never_reached_stripe_fails_after_23_hours(cb: Connectbot) -> None:
    account, row = await pending_charge(cb, "500")  # refused in front of the API: nothing made
    await age_charge(cb, row.id, timedelta(hours=23, minutes=1))

    assert await reconcile_one(cb) == "failed"
    [failed] = await charges_in_db(cb)
    assert failed.failure_code == "not_found_after_key_expiry" and failed.payment_intent_id is None
    assert len(await intent_creates(cb)) == RETRIES  # never sent again
    assert await vendor_payment_intents(cb, account) == []
    told = await cb.until(lambda: gave_up_notes(cb), what="the requester told")
    assert len(told) == 1
    assert told[0]["channel"] == f"D{OPERATOR}"  # a day later: by DM
    assert "Nothing was charged" in told[0]["text"] and "/charge" in told[0]["text"]
    assert await reconcile_pending(cb.app[SERVICES], grace=timedelta(0)) == []
    assert await posts(cb, OPS_CHANNEL, "Charged") == []
    async with cb.sessions() as session:
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.target == row.id))).all()
    assert any(a.outcome == "failed" and a.actor == "reconciler" for a in audit)


async def test_a_charge_two_hours_old_that_stripe_never_saw_is_sent_with_its_key(
    cb: Connectbot,
) -> None:
    account, row = await pending_charge(cb, "500")
    await age_charge(cb, row.id, timedelta(hours=2))
    assert await reconcile_one(cb) == "succeeded"
    creates = await intent_creates(cb)
    assert [c["status"] for c in creates] == [500] * RETRIES + [200]
    assert {c["idempotency_key"] for c in creates} == {row.idempotency_key}
    assert len(await vendor_payment_intents(cb, account)) == 1
    await assert_db_matches_stripe(cb, account)


async def test_a_replayed_500_is_looked_up_at_the_next_pass_and_adopted(cb: Connectbot) -> None:
    # The PaymentIntent is made, but Stripe's saved answer for the key is a 500: every replay
    # (the client's retries, any of the reconciler's) would get that 500 again.
    await cb.stripe.fault("POST", "/v1/payment_intents", "500_after_commit")
    account, _ = await charge_with(cb, "pm_card_visa")
    row = await charge_left_pending(cb)
    assert row.status == "pending" and row.failure_code == "replayed_error"
    creates = await intent_creates(cb)
    assert [c["status"] for c in creates] == [500] * RETRIES
    assert all(c.get("replayed") for c in creates[1:])

    # Minutes old, not an hour: looked up at once, never replayed again.
    assert await reconcile_one(cb) == "succeeded"
    assert len(await intent_creates(cb)) == RETRIES
    log = await cb.stripe.requests()
    assert paths(log, "GET", "/v1/payment_intents/search")
    assert paths(log, "GET", "/v1/payment_intents")  # search lags: the consistent list found it
    [intent] = await vendor_payment_intents(cb, account)
    [settled] = await charges_in_db(cb)
    assert settled.payment_intent_id == intent["id"] and settled.failure_code is None
    assert len(await cb.until(lambda: posts(cb, OPS_CHANNEL, "Charged"))) == 1
    assert await reconcile_pending(cb.app[SERVICES], grace=timedelta(0)) == []
    assert len(await posts(cb, OPS_CHANNEL, "Charged")) == 1
    await assert_db_matches_stripe(cb, account)


# --- refunds ----------------------------------------------------------------------------------


async def pending_refund(cb: Connectbot, fault: str) -> tuple[Charge, Any, Refund]:
    charge, vendor = await charged(cb)
    await cb.stripe.fault("POST", "/v1/refunds", fault, count=RETRIES)
    assert "will retry it with the same key" in await refund(cb, f"{charge.id} 25")
    async with cb.sessions() as session:
        [row] = (await session.scalars(select(Refund))).all()
    assert row.status == "pending"
    return charge, vendor, row


async def age_refund(cb: Connectbot, refund_id: int, by: timedelta) -> None:
    when = utcnow() - by
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Refund).where(Refund.id == refund_id).values(created_at=when, updated_at=when)
        )


async def refund_row(cb: Connectbot, refund_id: int) -> Refund:
    async with cb.sessions() as session:
        found = await session.get(Refund, refund_id)
    assert found is not None
    return found


async def assert_refund_adopted(cb: Connectbot, charge: Charge, vendor: Any, row: Refund) -> Refund:
    """The reconciler adopts the $25.00 refund Stripe made for `row`: found by listing the
    PaymentIntent's refunds, never sent again, announced once, and nothing left after; the row."""
    assert await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0)) == 1
    settled = await refund_row(cb, row.id)
    assert settled.status == "succeeded" and settled.stripe_refund_id
    log = await cb.stripe.requests()
    assert len(paths(log, "POST", "/v1/refunds")) == RETRIES  # never sent again
    [listing] = paths(log, "GET", "/v1/refunds")
    assert listing["params"]["payment_intent"] == charge.payment_intent_id
    assert await stripe_state(cb, charge, vendor) == (2_500, 250)
    texts = await cb.until(lambda: posts(cb, VENDOR_CHANNEL, "refunded"), what="the announcement")
    assert len(texts) == 1
    assert await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0)) == 0
    return settled


async def test_a_refund_whose_answer_was_lost_is_adopted_a_day_later(cb: Connectbot) -> None:
    charge, vendor, row = await pending_refund(cb, "drop")
    await age_refund(cb, row.id, DAY)
    await cb.stripe.advance_clock(KEY_LIFETIME_SECONDS + 60)

    await assert_refund_adopted(cb, charge, vendor, row)


async def test_a_refund_that_never_reached_stripe_fails_after_23_hours(cb: Connectbot) -> None:
    charge, vendor, row = await pending_refund(cb, "500")
    await age_refund(cb, row.id, timedelta(hours=23, minutes=1))

    assert await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0)) == 1
    failed = await refund_row(cb, row.id)
    assert failed.status == "failed" and failed.stripe_refund_id is None
    assert "idempotency key" in str(failed.failure_message)
    assert len(paths(await cb.stripe.requests(), "POST", "/v1/refunds")) == RETRIES
    assert await stripe_state(cb, charge, vendor) == (0, 0)
    dm = await cb.until(lambda: posts(cb, f"D{OPERATOR}", "was not made"), what="the DM")
    assert len(dm) == 1 and "Nothing was refunded" in dm[0]["text"] and "/refund" in dm[0]["text"]
    assert await posts(cb, VENDOR_CHANNEL, "refunded") == []
    async with cb.sessions() as session:
        audit = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "refund"))
        ).all()
    assert [a.detail.get("code") for a in audit if a.outcome == "failed"] == [
        "not_found_after_key_expiry"
    ]
    assert await reconcile_refunds(cb.app[SERVICES], grace=timedelta(0)) == 0
