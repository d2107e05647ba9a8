"""A stopping process hands back what it claimed and never tried, on each backend, and every
background loop returns when stopped.

The outbox relay and the event processor lease a batch, then work through it one by one. A
process stopped (Ctrl-C, a deploy) in the middle used to keep the rest of the batch leased: the
relay's messages then held their channels for 15 s, the processor's events waited 2 minutes.
Found by the sandbox's restart test on a busy machine: #ops stayed silent after a restart.
The claim in flight keeps its lease: Slack may have posted that message.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.event_processor import EventProcessor, ProcessorTuning
from bot.notifications.relay import Relay
from bot.services import SERVICES, Services
from bot.workers import running_workers
from sandbox.slack_fake.testing import SlackFake, running_slack_fake
from storage.db import session_factory
from storage.models import OutboxMessage, StripeEvent
from storage.repos import events, outbox
from tests.harness import FAST, Connectbot

TOKEN = "xoxb-stopping-test"
CHANNELS = ("C0ALPHA", "C0BRAVO", "C0CHARLIE")


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def slack() -> AsyncIterator[tuple[SlackFake, AsyncWebClient]]:
    async with running_slack_fake(token=TOKEN) as fake, aiohttp.ClientSession() as http:
        # As bot/slack_client.py: no connection-error retries of its own.
        yield (
            fake,
            AsyncWebClient(token=TOKEN, base_url=fake.api_url, session=http, retry_handlers=[]),
        )


async def _until(check: Any, what: str) -> None:
    async with asyncio.timeout(10):
        while not await check():
            await asyncio.sleep(0.02)


async def _queue_one_per_channel(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        for n, channel in enumerate(CHANNELS):
            await outbox.enqueue(
                session, kind="post", target=channel, payload={"text": f"{n}"}, dedupe_key=f"m{n}"
            )


async def test_a_stopped_relay_hands_back_the_messages_it_never_tried(
    sessions: async_sessionmaker[AsyncSession], slack: tuple[SlackFake, AsyncWebClient]
) -> None:
    fake, client = slack
    await _queue_one_per_channel(sessions)
    await fake.fault("chat.postMessage", "timeout", seconds=30)  # the first send hangs
    relay = Relay(sessions, client)
    passing = asyncio.create_task(relay.deliver_due())
    await _until(lambda: fake.calls("chat.postMessage"), "the first send")
    passing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await passing

    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    in_flight, *untried = rows
    assert in_flight.locked_until is not None and in_flight.claim_token is not None
    assert [(r.status, r.locked_until, r.claim_token) for r in untried] == [
        ("pending", None, None),
        ("pending", None, None),
    ]
    # Another process (here: a fresh relay) sends them at once, without waiting for a lease.
    assert await Relay(sessions, client).deliver_due() == 2
    posted = [c["params"]["channel"] for c in await fake.calls("chat.postMessage")]
    assert posted[1:] == list(CHANNELS[1:])


async def test_a_relay_told_to_stop_finishes_the_message_in_hand_and_returns(
    sessions: async_sessionmaker[AsyncSession], slack: tuple[SlackFake, AsyncWebClient]
) -> None:
    """A server stopping calls `stop()` first: nothing is left leased at all."""
    fake, client = slack
    await _queue_one_per_channel(sessions)
    await fake.fault("chat.postMessage", "timeout", seconds=1)  # in hand for a second
    relay = Relay(sessions, client)
    running = asyncio.create_task(relay.run())
    await _until(lambda: fake.calls("chat.postMessage"), "the first send")
    relay.stop()
    async with asyncio.timeout(10):
        await running  # returns by itself, not cancelled

    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(r.locked_until, r.claim_token) for r in rows] == [(None, None)] * 3
    assert [c["params"]["channel"] for c in await fake.calls("chat.postMessage")] == [CHANNELS[0]]
    assert rows[0].attempts == 1 and rows[0].last_error == "request_timeout"


class _Handlers:
    """Handles events by waiting on `gate`: the first one never finishes."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.gate = asyncio.Event()

    async def prepare(self, services: Any, event: dict[str, Any]) -> Any:
        return None

    async def dispatch(self, ctx: Any, prepared: Any) -> bool:
        self.started.append(ctx.event["id"])
        await self.gate.wait()
        return True


async def test_a_stopped_processor_hands_back_the_events_it_never_tried(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        for n in range(3):
            event = {"id": f"evt_{n}", "type": "charge.refunded", "created": 1_790_000_000 + n}
            await events.store(session, event)
    handlers = _Handlers()
    services = cast(Services, SimpleNamespace(sessions=sessions, events_ready=asyncio.Event()))
    processor = EventProcessor(services, cast(Any, handlers))
    passing = asyncio.create_task(processor.process_due())

    async def started() -> bool:
        return bool(handlers.started)

    await _until(started, "the first event")
    passing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await passing

    async with sessions() as session:
        rows = list(await session.scalars(select(StripeEvent).order_by(StripeEvent.id)))
    assert [r.id for r in rows] == ["evt_0", "evt_1", "evt_2"]
    assert rows[0].locked_until is not None  # the one in flight keeps its lease
    assert [r.locked_until for r in rows[1:]] == [None, None]
    tuning = ProcessorTuning()
    async with sessions.begin() as session:
        again = await events.claim(
            session, limit=10, lease=tuning.lease, max_attempts=tuning.retry.max_attempts
        )
    assert [event_id for event_id, _ in again] == ["evt_1", "evt_2"]


async def test_every_worker_returns_when_stopped_without_waiting_for_its_grace(
    cb: Connectbot,
) -> None:
    # All four loops (relay, events, reconciler, digest) nap between passes, the reconciler for
    # 30 s and the digest for a minute: stop() wakes each, so none is left to be cancelled.
    tuning = replace(FAST, stop_grace_seconds=60.0)
    loop = asyncio.get_running_loop()
    async with running_workers(cb.app[SERVICES], tuning) as workers:
        assert len(workers.all()) == 4
        await asyncio.sleep(0.5)  # past the reconciler's first pass, into every nap
        stopping_at = loop.time()
    assert loop.time() - stopping_at < 5.0
