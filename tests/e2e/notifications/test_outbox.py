"""The outbox relay: every queued message reaches Slack once, in order per channel."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.workers import WORKERS
from storage.models import OutboxMessage, utcnow
from storage.repos import outbox
from tests.harness import Connectbot

CHANNELS = ("C0ALPHA", "C0BRAVO")


async def queue(cb: Connectbot, count: int) -> list[tuple[str, str]]:
    """Queue `count` numbered messages per channel, interleaved; return (channel, text) in order."""
    queued: list[tuple[str, str]] = []
    async with cb.sessions.begin() as session:
        for n in range(count):
            for channel in CHANNELS:
                text = f"{channel} message {n}"
                await outbox.enqueue(
                    session, kind="post", target=channel, payload={"text": text}, dedupe_key=text
                )
                queued.append((channel, text))
    cb.app[WORKERS].relay.wake()
    return queued


async def delivered(cb: Connectbot, expected: int) -> list[dict[str, Any]]:
    posted = await cb.posted()
    return posted if len(posted) >= expected else []


async def assert_each_once_in_order(cb: Connectbot, queued: list[tuple[str, str]]) -> None:
    await cb.settled()
    posted = [(c["params"]["channel"], c["params"]["text"]) for c in await cb.posted()]
    assert sorted(posted) == sorted(queued)  # each exactly once
    for channel in CHANNELS:
        assert [t for c, t in posted if c == channel] == [t for c, t in queued if c == channel]
    async with cb.sessions() as session:
        statuses = (await session.scalars(select(OutboxMessage.status))).all()
    assert set(statuses) == {"sent"}


async def test_messages_survive_rate_limits_and_errors_in_order(cb: Connectbot) -> None:
    await cb.slack.fault("chat.postMessage", "429", count=4, retry_after=1)
    await cb.slack.fault("chat.postMessage", "500", count=5)
    queued = await queue(cb, 4)
    await cb.until(lambda: delivered(cb, len(queued)), timeout=30, what="every message")
    await assert_each_once_in_order(cb, queued)
    failures = [c for c in await cb.slack.calls("chat.postMessage") if not c["ok"]]
    assert len(failures) == 9  # every fault was met, and retried past


async def test_messages_wait_out_a_slack_outage(cb: Connectbot) -> None:
    await cb.slack.outage(seconds=2)
    queued = await queue(cb, 3)
    await cb.until(lambda: delivered(cb, len(queued)), timeout=30, what="every message")
    await assert_each_once_in_order(cb, queued)


async def test_the_same_dedupe_key_queues_one_message(cb: Connectbot) -> None:
    async with cb.sessions.begin() as session:
        for _ in range(3):
            await outbox.enqueue(
                session, kind="post", target="C0ALPHA", payload={"text": "once"}, dedupe_key="k"
            )
    cb.app[WORKERS].relay.wake()
    await cb.until(lambda: delivered(cb, 1), what="the message")
    await cb.settled()
    assert [c["params"]["text"] for c in await cb.posted()] == ["once"]


async def test_dm_and_update_kinds(cb: Connectbot) -> None:
    async with cb.sessions.begin() as session:
        await outbox.enqueue(
            session, kind="post", target="C0ALPHA", payload={"text": "v1"}, dedupe_key="req"
        )
        await outbox.enqueue(
            session,
            kind="update",
            target="C0ALPHA",
            payload={"text": "v2", "update_of": "req"},
            dedupe_key="req:update",
        )
        await outbox.enqueue(
            session, kind="dm", target="U0SOMEONE", payload={"text": "hi"}, dedupe_key="dm"
        )
    cb.app[WORKERS].relay.wake()

    async def done() -> bool:
        return bool(await cb.slack.calls("chat.update")) and len(await cb.posted()) == 2

    await cb.until(done, what="post, update and DM")
    messages = await cb.slack.messages("C0ALPHA")
    assert [m["text"] for m in messages] == ["v2"]
    assert [m["text"] for m in await cb.slack.messages("DU0SOMEONE")] == ["hi"]


async def test_healthz_reports_how_long_the_oldest_pending_message_has_waited(
    cb: Connectbot,
) -> None:
    async def oldest() -> int:
        status, text = await cb.get("/healthz")
        assert status == 200
        return int(json.loads(text)["outbox"]["oldest_pending_seconds"])

    assert await oldest() == 0  # nothing waits
    await cb.slack.outage()  # Slack is down: the messages wait
    queued = await queue(cb, 1)
    async with cb.sessions.begin() as session:  # the first one was queued 90 seconds ago
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == queued[0][1])
            .values(created_at=utcnow() - timedelta(seconds=90))
        )
    assert 90 <= await oldest() < 120
    await cb.slack.outage(on=False)
    cb.app[WORKERS].relay.wake()
    await cb.until(lambda: delivered(cb, len(queued)), timeout=30, what="every message")
    assert await oldest() == 0
