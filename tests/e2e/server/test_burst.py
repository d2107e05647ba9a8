"""A burst on one server: 50 signed Stripe webhooks and 50 slash commands at once, all answered.

On the default SQLite database every write transaction takes the write lock up front and waits
its turn (storage/db.py), so a burst queues instead of failing with `database is locked` / 503.
The same burst runs on PostgreSQL. A lock that outlasts the busy timeout is still a 503, so
Stripe delivers the event again rather than it being lost.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sandbox.slack_fake.client import SlackReply
from storage.models import Customer, StripeEvent
from tests.e2e.scenario import connected_vendor, customer_with_card
from tests.harness import OPERATOR, WEBHOOK_SECRET, Connectbot, running_connectbot
from tests.stripe_events import encode, event, payout, sign

VENDOR = "U0VENDOR1"
VENDOR_CHANNEL = "C0VENDOR1"
BURST = 50


async def post_webhook(cb: Connectbot, body: dict[str, Any]) -> tuple[int, Any]:
    data = encode(body)
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(data, WEBHOOK_SECRET)}
    async with cb.http.post(f"{cb.url}/stripe/webhook", data=data, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


def webhook_burst(account: str) -> list[dict[str, Any]]:
    """Half payouts on the vendor's account (handled: messages queued), half updates of
    accounts connectbot does not know (handled: nothing to do)."""
    payouts = [
        event("payout.paid", payout(1000 + i), account=account, event_id=f"evt_burst_po_{i:02}")
        for i in range(BURST // 2)
    ]
    unknown = [
        event(
            "account.updated",
            {"id": f"acct_unknown{i:02}", "object": "account", "charges_enabled": True},
            account=f"acct_unknown{i:02}",
            event_id=f"evt_burst_acct_{i:02}",
        )
        for i in range(BURST - BURST // 2)
    ]
    return payouts + unknown


def command_burst(cb: Connectbot) -> list[Any]:
    """Half /add-customer (each writes a customer and an audit row), half /charge (reads, then
    opens the confirmation modal)."""
    sender = cb.slack_sender
    adds = [
        sender.command("/add-customer", f"burst{i:02}@example.com", user_id=OPERATOR)
        for i in range(BURST // 2)
    ]
    charges = [
        sender.command("/charge", f"<@{VENDOR}|vendor> {i + 1}.00", user_id=OPERATOR)
        for i in range(BURST - BURST // 2)
    ]
    return adds + charges


async def test_a_burst_of_webhooks_and_commands_is_all_answered(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR, channel_id=VENDOR_CHANNEL)
    await customer_with_card(cb, "jane@example.com")
    events = webhook_burst(vendor.stripe_account_id)

    results = await asyncio.gather(*(post_webhook(cb, body) for body in events), *command_burst(cb))
    webhook_answers = results[:BURST]
    commands: list[SlackReply] = list(results[BURST:])

    assert [status for status, _ in webhook_answers] == [200] * BURST, webhook_answers
    assert all(a == {"received": True, "duplicate": False} for _, a in webhook_answers)
    assert [c.status for c in commands] == [200] * BURST
    assert all(not c.body for c in commands), [c.body for c in commands if c.body]

    async with cb.sessions() as session:
        stored = (await session.execute(select(StripeEvent.id, func.count()).group_by("id"))).all()
    burst_ids = {e["id"] for e in events}
    assert {i: n for i, n in stored if i in burst_ids} == dict.fromkeys(burst_ids, 1)

    # Every /add-customer got its link privately; every /charge opened its modal.
    adds, charges = commands[: BURST // 2], commands[BURST // 2 :]

    async def all_replied() -> bool:
        replies = [await cb.slack.responses(str(c.response_key)) for c in adds]
        return all(replies)

    await cb.until(all_replied, what="every /add-customer reply")
    for i, command in enumerate(adds):
        [reply] = await cb.slack.responses(str(command.response_key))
        assert reply["ok"] and reply["text"].startswith(f"Card link for burst{i:02}@example.com: ")
    opened = cb.slack.opened_triggers()
    assert all(c.trigger_id in opened for c in charges)
    async with cb.sessions() as session:
        added = await session.scalar(
            select(func.count()).where(Customer.email.like("burst%@example.com"))
        )
    assert added == BURST // 2

    # The stored events were then handled once each, none failing on the way.
    await cb.events_handled()
    async with cb.sessions() as session:
        handled = (
            await session.execute(
                select(StripeEvent.attempts, StripeEvent.last_error).where(
                    StripeEvent.id.in_(burst_ids)
                )
            )
        ).all()
    assert [tuple(row) for row in handled] == [(1, None)] * BURST


async def test_a_webhook_that_cannot_get_the_lock_in_time_is_503_and_stored_on_retry(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}?timeout=0.2"  # a short busy timeout
    async with running_connectbot(url) as cb:
        body = event("payout.paid", payout(4200), account="acct_1NOBODY")
        # Another connection (the test's own engine, as a CLI command would) holds the lock.
        async with cb.sessions.begin() as holder:
            await holder.execute(select(func.count()).select_from(StripeEvent))
            status, answer = await post_webhook(cb, body)
            assert (status, answer) == (503, {"error": "temporarily unavailable"})

        status, answer = await post_webhook(cb, body)  # Stripe's retry
        assert (status, answer) == (200, {"received": True, "duplicate": False})
        async with cb.sessions() as session:
            stored = (await session.scalars(select(StripeEvent.id))).all()
        assert stored == [body["id"]]
