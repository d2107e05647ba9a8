"""A charge Stripe never answered is settled later by replaying the same request and key."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.reconcile import reconcile_pending
from bot.services import SERVICES
from tests.e2e.charges.test_charge_outcomes import charge_with, outbox
from tests.e2e.scenario import (
    assert_db_matches_stripe,
    charge_left_pending,
    charges_in_db,
    intent_creates,
)
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot

RETRIES = 3  # the first try and the client's two retries


async def test_committed_but_the_response_lost_then_reconciled(cb: Connectbot) -> None:
    # Webhooks are held back (queued, not sent) until released: they come late.
    await cb.stripe.webhook_rules(hold="all")
    await cb.stripe.fault("POST", "/v1/payment_intents", "drop", count=RETRIES)
    account, _ = await charge_with(cb, "pm_card_visa")
    await charge_left_pending(cb)
    # The operator is told it will be settled; nothing is announced as charged yet.
    delayed = [m for m in await outbox(cb) if m.dedupe_key.endswith(f":delayed:private:{OPERATOR}")]
    assert len(delayed) == 1
    assert len(await intent_creates(cb)) == RETRIES

    services = cb.app[SERVICES]
    assert await reconcile_pending(services, grace=timedelta(minutes=1)) == []  # too recent
    [(charge_id, status)] = await reconcile_pending(services, grace=timedelta(0))
    assert status == "succeeded"

    creates = await intent_creates(cb)
    assert len(creates) == RETRIES + 1 and creates[-1].get("replayed") is True
    assert len({c["idempotency_key"] for c in creates}) == 1
    [row] = await charges_in_db(cb)
    assert row.id == charge_id and row.status == "succeeded" and row.payment_intent_id

    await cb.stripe.release_webhooks()
    await cb.stripe.deliver()
    assert any(e["type"] == "payment_intent.succeeded" for e in await cb.stripe.events())
    await cb.events_handled()
    assert len(await cb.until(lambda: _charged(cb), what="the confirmation")) == 1
    await assert_db_matches_stripe(cb, account)
    assert await reconcile_pending(services, grace=timedelta(0)) == []


async def test_a_webhook_settles_a_charge_whose_response_was_lost(cb: Connectbot) -> None:
    await cb.stripe.webhook_rules(hold="all")
    await cb.stripe.fault("POST", "/v1/payment_intents", "drop", count=RETRIES)
    account, _ = await charge_with(cb, "pm_card_visa")
    await charge_left_pending(cb)
    await cb.stripe.release_webhooks()
    await cb.stripe.deliver()

    async def settled() -> bool:
        return [c.status for c in await charges_in_db(cb)] == ["succeeded"]

    await cb.until(settled, what="the webhook to settle the charge")
    assert await reconcile_pending(cb.app[SERVICES], grace=timedelta(0)) == []
    assert len(await cb.until(lambda: _charged(cb))) == 1
    assert len(await intent_creates(cb)) == RETRIES
    await assert_db_matches_stripe(cb, account)


async def test_stripe_down_leaves_the_charge_pending_and_reconciling_charges_it(
    cb: Connectbot,
) -> None:
    await cb.stripe.fault("POST", "/v1/payment_intents", "500", count=RETRIES)
    account, _ = await charge_with(cb, "pm_card_visa")
    await charge_left_pending(cb)
    assert [c["status"] for c in await intent_creates(cb)] == [500] * RETRIES
    services = cb.app[SERVICES]
    first, second = await asyncio.gather(
        reconcile_pending(services, grace=timedelta(0)),
        reconcile_pending(services, grace=timedelta(0)),
    )
    assert sorted(first + second, key=str) == [((await charges_in_db(cb))[0].id, "succeeded")]
    assert [c["status"] for c in await intent_creates(cb)] == [500] * RETRIES + [200]
    assert len(await cb.until(lambda: _charged(cb))) == 1
    await assert_db_matches_stripe(cb, account)


async def _charged(cb: Connectbot) -> list[dict[str, object]]:
    return [m for m in await cb.slack.messages(OPS_CHANNEL) if "Charged" in str(m.get("text"))]
