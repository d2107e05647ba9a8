"""connectbot pins the Stripe API version it is written for, and handles an event rendered at
another version by reading the object fresh at its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from stripe._api_version import _ApiVersion

from bot.stripe_ops.client import API_VERSION, connect_stripe
from bot.stripe_ops.event_objects import UnreadableEvent, at_api_version
from storage.models import ApplicationFee, StripeEvent
from tests.e2e.charges.test_charge_outcomes import charge_with
from tests.e2e.charges.test_reconciliation import RETRIES
from tests.e2e.scenario import assert_db_matches_stripe, charge_left_pending, charges_in_db
from tests.harness import OPS_CHANNEL, Connectbot, make_settings, running_connectbot

OLD = "2020-08-27"


@pytest.fixture
async def old_cb(database_url: str) -> AsyncIterator[Connectbot]:
    """connectbot whose two webhook endpoints render events at 2020-08-27."""
    async with running_connectbot(database_url, webhook_api_version=OLD) as running:
        yield running


def test_the_pinned_version_is_the_one_stripe_python_is_written_for() -> None:
    assert API_VERSION == _ApiVersion.CURRENT, (
        f"stripe-python now pins {_ApiVersion.CURRENT}: read Stripe's changelog from "
        f"{API_VERSION} on, update sandbox/stripe_fake/versions.py and the fields handlers read, "
        "then move bot.stripe_ops.client.API_VERSION"
    )


async def test_every_api_request_names_the_pinned_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even when the library's own default moves (an upgrade), connectbot asks for its version."""
    seen: list[str | None] = []

    async def balance(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Stripe-Version"))
        return web.json_response({"object": "balance", "available": [], "pending": []})

    app = web.Application()
    app.router.add_get("/v1/balance", balance)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    monkeypatch.setattr(_ApiVersion, "CURRENT", "2099-01-01.future")
    try:
        settings = make_settings("sqlite+aiosqlite:///unused.db", base, base + "/api/", base)
        async with aiohttp.ClientSession() as session:
            await connect_stripe(settings, session=session).api.v1.balance.retrieve_async()
    finally:
        await runner.cleanup()
    assert seen == [API_VERSION]


async def test_a_charge_settled_only_by_a_webhook_at_an_older_version(old_cb: Connectbot) -> None:
    """The PaymentIntent in the 2020-08-27 event has `charges`, not `latest_charge`: connectbot
    reads it fresh on the vendor's account and records the charge Stripe made."""
    cb = old_cb
    await cb.stripe.webhook_rules(hold="all")
    await cb.stripe.fault("POST", "/v1/payment_intents", "drop", count=RETRIES)
    account, _ = await charge_with(cb, "pm_card_visa")
    await charge_left_pending(cb)
    await cb.stripe.release_webhooks()
    await cb.events_handled()

    [row] = await charges_in_db(cb)
    assert row.status == "succeeded" and row.payment_intent_id
    intent = cb.stripe.stored(row.payment_intent_id)
    assert row.stripe_charge_id == intent["latest_charge"]

    stored = await _stored(cb, "payment_intent.succeeded")
    assert stored["api_version"] == OLD
    delivered = stored["data"]["object"]
    assert "latest_charge" not in delivered
    assert delivered["charges"]["data"][0]["id"] == intent["latest_charge"]
    reads = [
        r
        for r in await cb.stripe.requests()
        if (r["method"], r["path"]) == ("GET", f"/v1/payment_intents/{row.payment_intent_id}")
    ]
    assert [r["stripe_account"] for r in reads] == [account]
    charged = [m for m in await cb.slack.messages(OPS_CHANNEL) if "Charged" in str(m["text"])]
    assert len(charged) == 1
    async with cb.sessions() as session:  # application_fee.created, read fresh on the platform
        fees = (await session.scalars(select(ApplicationFee))).all()
    assert [(f.amount, f.stripe_account_id) for f in fees] == [
        (row.application_fee_amount, account)
    ]
    await assert_db_matches_stripe(cb, account)


async def test_an_event_at_the_pinned_version_is_used_as_delivered(cb: Connectbot) -> None:
    account, _ = await charge_with(cb, "pm_card_visa")

    async def succeeded() -> bool:
        return [c.status for c in await charges_in_db(cb)] == ["succeeded"]

    await cb.until(succeeded, what="the charge")
    await cb.events_handled()
    assert (await _stored(cb, "payment_intent.succeeded"))["api_version"] == API_VERSION
    fresh_reads = [
        r
        for r in await cb.stripe.requests()
        if r["method"] == "GET" and r["path"].startswith("/v1/payment_intents/")
    ]
    assert fresh_reads == []
    await assert_db_matches_stripe(cb, account)


async def test_an_object_connectbot_cannot_read_fresh_is_refused_not_guessed() -> None:
    event: dict[str, Any] = {
        "id": "evt_1",
        "api_version": OLD,
        "type": "invoice.paid",
        "data": {"object": {"id": "in_1", "object": "invoice"}},
    }
    with pytest.raises(UnreadableEvent, match=f"set the webhook endpoint to {API_VERSION}"):
        await at_api_version(None, event)  # type: ignore[arg-type]  # refused before any call
    payout = {**event, "data": {"object": {"id": "po_1", "object": "payout", "amount": 1}}}
    assert await at_api_version(None, payout) is payout  # type: ignore[arg-type]


async def _stored(cb: Connectbot, event_type: str) -> dict[str, Any]:
    async with cb.sessions() as session:
        [event] = (
            await session.scalars(select(StripeEvent).where(StripeEvent.type == event_type))
        ).all()
    payload: dict[str, Any] = event.payload
    return payload
