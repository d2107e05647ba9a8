"""Slow work is answered inside Slack's 3 seconds; retried requests never double anything.

The fake Slack's sender throws away an answer later than 3 s (`operation_timeout`), as Slack
does; the fake Stripe's `timeout` fault makes an endpoint hang before it runs.
"""

from __future__ import annotations

import asyncio
import json
import time

from sqlalchemy import select

from bot.services import SERVICES
from sandbox.slack_fake.interactions import event_callback, submission
from storage.models import OutboxMessage
from storage.repos import outbox
from tests.e2e.commands.test_private_replies import typed_charge
from tests.e2e.scenario import (
    charges_in_db,
    connected_vendor,
    customer_with_card,
    intent_creates,
    modal_inputs,
)
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot

VENDOR = "U0VENDOR1"
SLOW = 4.0  # seconds: longer than Slack waits for an answer


async def test_add_customer_answers_in_time_while_stripe_is_slow(cb: Connectbot) -> None:
    await cb.stripe.fault("GET", "/v1/customers/search", "timeout", seconds=SLOW)
    started = time.monotonic()
    reply = await cb.slack_sender.command("/add-customer", "jane@example.com", user_id=OPERATOR)
    assert reply.status == 200 and reply.error is None and not reply.body
    assert time.monotonic() - started < 1.5  # acked before Stripe was asked
    [link] = await cb.slack.responses_when(str(reply.response_key), seconds=SLOW + 6)
    assert link["ok"] and "checkout" in json.dumps(link).lower()
    assert time.monotonic() - started >= SLOW  # the link came after Stripe answered
    assert await cb.slack.deliveries() == []  # Slack saw no late answer


async def test_a_charge_submission_answers_in_time_while_stripe_is_slow(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    _, view = await typed_charge(cb, f"<@{VENDOR}> 30 jane@example.com", channel="C_GENERAL")
    await cb.stripe.fault("POST", "/v1/payment_intents", "timeout", seconds=SLOW)
    reply = await cb.slack_sender.view_submission(view, modal_inputs(view), user_id=OPERATOR)
    assert reply.status == 200 and reply.error is None
    charged = await cb.until(lambda: _charged(cb), timeout=SLOW + 8, what="the announcement")
    assert len(charged) == 1 and len(await intent_creates(cb)) == 1
    assert await cb.slack.deliveries() == []


async def _charged(cb: Connectbot) -> list[str]:
    texts = [m.get("text", "") for m in await cb.slack.messages(OPS_CHANNEL)]
    return [t for t in texts if "Charged" in t]


async def test_the_same_submission_delivered_twice_is_one_charge(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com", "pm_card_chargeDeclined")
    key, view = await typed_charge(cb, f"<@{VENDOR}> 30 jane@example.com", channel="C_GENERAL")
    trigger = await cb.slack.issue_trigger(OPERATOR, view_id=view["id"])
    payload = submission(
        cb.slack_sender.workspace, view, modal_inputs(view), OPERATOR, trigger
    )  # byte for byte the same request, twice
    first = await cb.slack_sender.send_payload(payload)
    second = await cb.slack_sender.send_payload(payload)
    assert first.status == second.status == 200
    await cb.until(lambda: _failed(cb), what="the decline")
    await asyncio.sleep(0.5)
    assert len(await charges_in_db(cb)) == 1 and len(await intent_creates(cb)) == 1
    assert len(await cb.slack.responses(key)) == 1  # one private decline


async def _failed(cb: Connectbot) -> bool:
    return any(c.status == "failed" for c in await charges_in_db(cb))


async def test_a_retried_event_publishes_the_home_and_posts_nothing(cb: Connectbot) -> None:
    event = {"type": "app_home_opened", "user": OPERATOR, "channel": f"D{OPERATOR}", "tab": "home"}
    body = json.dumps(event_callback(cb.slack_sender.workspace, event)).encode()
    delivery = cb.slack_sender._delivery()
    first = await delivery.post(body, "application/json")
    retry = await delivery.post(
        body,
        "application/json",
        extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert first.status == retry.status == 200 and retry.error is None
    await cb.until(lambda: cb.slack.calls("views.publish"), what="the home")
    await asyncio.sleep(0.3)
    published = await cb.slack.calls("views.publish")
    assert {json.dumps(c["params"]["view"], sort_keys=True) for c in published} != set()
    assert len({json.dumps(c["params"]["view"], sort_keys=True) for c in published}) == 1
    assert await cb.posted() == [] and await cb.slack.calls("chat.postEphemeral") == []


async def test_an_expired_trigger_is_explained_in_words(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    trigger = await cb.slack.issue_trigger(OPERATOR)
    url = await cb.slack.issue_response_url(OPERATOR, channel_id="C_GENERAL")
    await cb.slack.advance_clock(4)  # the trigger is older than Slack's 3 seconds
    reply = await cb.command_as_sent(
        "/charge", f"<@{VENDOR}> 30 jane@example.com", trigger_id=trigger, response_url=url
    )
    assert reply.status == 200 and not reply.body
    key = url.split("/_fake/respond/")[1].split("?")[0]
    [note] = await cb.until(lambda: cb.slack.responses(key), what="the explanation")
    assert "took too long" in note["text"] and "Type the command again" in note["text"]
    assert "nothing was charged" in note["text"]
    [opened] = await cb.slack.calls("views.open")
    assert opened["error"] == "expired_trigger_id"
    assert await charges_in_db(cb) == []


async def test_a_lost_answer_is_retried_by_the_outbox_alone(cb: Connectbot) -> None:
    """Slack posted but the answer was lost: one re-send, by the outbox, never two layers."""
    await cb.slack.fault("chat.postMessage", "drop")
    async with cb.sessions.begin() as session:
        await outbox.enqueue(
            session, kind="post", target=OPS_CHANNEL, payload={"text": "payout"}, dedupe_key="t1"
        )
    cb.app[SERVICES].outbox_ready.set()

    async def sent() -> OutboxMessage | None:
        async with cb.sessions() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == "t1")
            )
        return row if row is not None and row.status == "sent" else None

    row = await cb.until(sent, what="the message sent")
    # The first attempt failed as far as connectbot knows (counted, with the network error);
    # the Slack client did not re-send it by itself.
    assert row.attempts == 1 and "network" in str(row.last_error)
    posts = await cb.slack.calls("chat.postMessage")
    assert len(posts) == 2  # the known duplicate window (README), from one layer only
