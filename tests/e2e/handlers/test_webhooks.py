"""POST /stripe/webhook: only verified events are stored, each once, handled once."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import OutboxMessage, StripeEvent, Vendor
from tests.e2e.scenario import connected_vendor
from tests.harness import CONNECT_WEBHOOK_SECRET, WEBHOOK_SECRET, Connectbot
from tests.stripe_events import encode, event, payout, sign

VENDOR_USER = "U0VENDOR1"
VENDOR_CHANNEL = "C0VENDOR1"


async def post_event(
    cb: Connectbot, body: bytes, *, signature: str | None
) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    async with cb.http.post(f"{cb.url}/stripe/webhook", data=body, headers=headers) as resp:
        return resp.status, await resp.json()


async def stored_events(cb: Connectbot) -> list[StripeEvent]:
    async with cb.sessions() as session:
        return list((await session.scalars(select(StripeEvent))).all())


async def add_vendor(cb: Connectbot, account: str = "acct_1VENDOR") -> None:
    async with cb.sessions.begin() as session:
        session.add(
            Vendor(
                team_id="T_SANDBOX",
                slack_user_id=VENDOR_USER,
                stripe_account_id=account,
                status="connected",
                charges_enabled=True,
                payouts_enabled=True,
                channel_id=VENDOR_CHANNEL,
            )
        )


def _tampered(body: bytes) -> bytes:
    """The same JSON, re-serialized with different spacing: same meaning, different bytes."""
    return json.dumps(json.loads(body), indent=2).encode()


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "missing header", "malformed header", "stale", "re-serialized", "not json"],
)
async def test_unverified_deliveries_get_400_and_store_nothing(cb: Connectbot, case: str) -> None:
    body = encode(event("payout.paid", payout(1000), account="acct_1VENDOR"))
    signature: str | None = sign(body, WEBHOOK_SECRET)
    if case == "wrong secret":
        signature = sign(body, "whsec_not_ours")
    elif case == "missing header":
        signature = None
    elif case == "malformed header":
        signature = "v1=deadbeef"
    elif case == "stale":
        signature = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    elif case == "re-serialized":
        body = _tampered(body)
    elif case == "not json":
        body = b"not json at all"
        signature = sign(body, WEBHOOK_SECRET)
    status, answer = await post_event(cb, body, signature=signature)
    assert status == 400 and answer["error"]
    assert await stored_events(cb) == []


async def test_a_test_mode_server_refuses_live_events(cb: Connectbot) -> None:
    body = encode(event("payout.paid", payout(1000), livemode=True))
    status, answer = await post_event(cb, body, signature=sign(body, WEBHOOK_SECRET))
    assert status == 400 and "live-mode event" in answer["error"]
    assert await stored_events(cb) == []


async def test_both_endpoint_secrets_are_accepted(cb: Connectbot) -> None:
    platform = encode(event("balance.available", {"object": "balance"}))
    connect = encode(event("balance.available", {"object": "balance"}, account="acct_X"))
    assert (await post_event(cb, platform, signature=sign(platform, WEBHOOK_SECRET)))[0] == 200
    assert (await post_event(cb, connect, signature=sign(connect, CONNECT_WEBHOOK_SECRET)))[
        0
    ] == 200
    assert {e.account for e in await stored_events(cb)} == {None, "acct_X"}


async def test_unknown_event_types_are_stored_and_ignored(cb: Connectbot) -> None:
    body = encode(event("customer.tax_id.created", {"object": "tax_id", "id": "txi_1"}))
    status, answer = await post_event(cb, body, signature=sign(body, WEBHOOK_SECRET))
    assert status == 200 and answer == {"received": True, "duplicate": False}

    async def processed() -> bool:
        return all(e.processed_at is not None for e in await stored_events(cb))

    await cb.until(processed, what="the event to be marked processed")
    async with cb.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_the_same_event_five_times_concurrently_then_in_sequence_posts_once(
    cb: Connectbot,
) -> None:
    await add_vendor(cb)
    body = encode(event("payout.paid", payout(12_345), account="acct_1VENDOR"))
    answers = await asyncio.gather(
        *(post_event(cb, body, signature=sign(body, WEBHOOK_SECRET)) for _ in range(5))
    )
    for _ in range(5):
        answers.append(await post_event(cb, body, signature=sign(body, WEBHOOK_SECRET)))
    assert [status for status, _ in answers] == [200] * 10
    assert sum(not a["duplicate"] for _, a in answers) == 1

    async def both_sent() -> list[dict[str, Any]]:
        posted = await cb.posted()
        return posted if len(posted) >= 2 else []

    await cb.until(both_sent, what="the channel message and the vendor's DM")
    await cb.settled()
    posted = await cb.posted()
    assert sorted(c["params"]["channel"] for c in posted) == [VENDOR_CHANNEL, f"D{VENDOR_USER}"]
    assert all("$123.45" in c["params"]["text"] for c in posted)
    events = await stored_events(cb)
    assert len(events) == 1 and events[0].processed_at is not None


async def test_an_undeliverable_message_is_dead_and_counted_in_healthz(cb: Connectbot) -> None:
    """Slack says the vendor's channel does not exist: that message stops, the DM still goes."""
    await add_vendor(cb)
    await cb.slack.set_channel_missing(VENDOR_CHANNEL)
    body = encode(event("payout.failed", payout(500, status="failed"), account="acct_1VENDOR"))
    assert (await post_event(cb, body, signature=sign(body, WEBHOOK_SECRET)))[0] == 200

    async def health() -> dict[str, Any]:
        _, text = await cb.get("/healthz")
        data: dict[str, Any] = json.loads(text)
        return data if data["outbox"]["dead"] == 1 else {}

    data = await cb.until(health, what="/healthz to count the undeliverable message")
    assert data["ok"] is True and data["events_failed"] == 0
    await cb.settled()  # the DM (and the ops channel's copy) go their own way meanwhile
    dm = [c for c in await cb.posted() if c["params"]["channel"] == f"D{VENDOR_USER}"]
    assert len(dm) == 1 and "bank account has been closed" in dm[0]["params"]["text"]
    attempts = [
        c
        for c in await cb.slack.calls("chat.postMessage")
        if c["params"]["channel"] == VENDOR_CHANNEL
    ]
    assert len(attempts) == 1  # a permanent error is not retried


async def test_a_failing_handler_is_retried_until_it_succeeds_and_acts_once(
    cb: Connectbot,
) -> None:
    """account.updated reads the account fresh from Stripe; Stripe fails that read at first."""
    vendor = await connected_vendor(cb, VENDOR_USER, channel_id=VENDOR_CHANNEL)
    account = vendor.stripe_account_id
    # Three failures defeat the first handling (one try and the client's two retries).
    await cb.stripe.fault("GET", f"/v1/accounts/{account}", "500", count=3)
    await cb.stripe.set_account(account, charges_enabled=False)
    await cb.stripe.deliver()

    async def handled() -> StripeEvent | None:
        for stored in await stored_events(cb):
            disabled = stored.payload["data"]["object"].get("charges_enabled") is False
            if stored.type == "account.updated" and disabled and stored.processed_at:
                return stored
        return None

    stored = await cb.until(handled, what="the event handled after a retry")
    assert stored.attempts >= 2 and stored.last_error  # it failed first, then succeeded
    await cb.settled()
    notes = [c for c in await cb.posted() if "can no longer take payments" in c["params"]["text"]]
    assert len(notes) == 1
    async with cb.sessions() as session:
        row = await session.get(Vendor, vendor.id)
    assert row is not None and row.charges_enabled is False
