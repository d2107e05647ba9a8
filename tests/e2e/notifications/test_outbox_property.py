"""Property: the outbox relay never stops a channel (issue 12).

Random programs of sends, edits, Slack faults (429, 500, timeout), channels that vanish and
come back, and relay passes run against the real relay, a real database (each backend) and the
real fake Slack. Whatever happens, once the faults are spent every message ends `sent` or
`dead`, never `pending`; a sent message reached Slack exactly once, in queue order within its
channel; a dead one has a reason retrying cannot fix (its blocks, its channel, or the message
it edits never being delivered); and everything that could be delivered was.

The relay runs on a clock the test moves (backoff and Retry-After cost no real time). Its Slack
client has no retry handlers of its own, so every fault reaches the relay, and the relay's send
timeout is short, so the fake's "timeout" fault (a call that hangs) is a real timeout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.backoff import RetryPolicy
from bot.notifications.relay import Relay, RelayTuning
from sandbox.slack_fake.testing import SlackFake, running_slack_fake
from storage.db import session_factory
from storage.models import OutboxMessage, utcnow
from storage.repos import outbox

TOKEN = "xoxb-property-test"
CHANNELS = ("C0ALPHA", "C0BRAVO", "C0CHARLIE")
INVALID_BLOCKS = [{"type": "section"}]  # no text, no fields: Slack answers invalid_blocks
RETRY = RetryPolicy(base_seconds=1.0, cap_seconds=300.0, max_attempts=20)
# Fewer transient faults than attempts, so no message may die of them; few timeouts (each
# costs a real client timeout).
FAULT_BUDGET, TIMEOUT_BUDGET = RETRY.max_attempts - 2, 2
SEND_TIMEOUT, HANG_SECONDS = 0.25, 1.0
DRAIN_PASSES = 60


class Clock:
    def __init__(self) -> None:
        self.at = utcnow()

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Post:
    channel: int
    valid: bool


@dataclass(frozen=True)
class Edit:
    of: int  # which earlier post (modulo how many there are)
    valid: bool


@dataclass(frozen=True)
class Fault:
    method: str
    kind: str
    count: int


@dataclass(frozen=True)
class Vanish:
    channel: int


@dataclass(frozen=True)
class Return:
    channel: int


@dataclass(frozen=True)
class Pass:
    advance: float  # seconds the clock moves before the pass


channel_index = st.integers(0, len(CHANNELS) - 1)
mostly_valid = st.sampled_from([True, True, True, False])
STEP = {
    "post": st.builds(Post, channel_index, mostly_valid),
    "edit": st.builds(Edit, st.integers(0, 30), mostly_valid),
    "pass": st.builds(Pass, st.sampled_from([0.0, 0.5, 2.0, 30.0, 400.0])),
    "fault": st.builds(
        Fault,
        st.sampled_from(["chat.postMessage", "chat.update"]),
        st.sampled_from(["429", "500", "timeout"]),
        st.integers(1, 2),
    ),
    "vanish": st.builds(Vanish, channel_index),
    "return": st.builds(Return, channel_index),
}
# Mostly sends, edits and passes; now and then a fault or a channel coming or going.
WEIGHTS = ["post"] * 4 + ["edit"] * 3 + ["pass"] * 3 + ["fault", "fault", "vanish", "return"]
steps = st.sampled_from(WEIGHTS).flatmap(STEP.__getitem__)


@dataclass
class Queued:
    id: int
    key: str
    kind: str  # post | update
    channel: str
    text: str
    valid: bool
    of: str | None = None  # the post an edit edits


@dataclass
class World:
    fake: SlackFake
    sessions: async_sessionmaker[AsyncSession]
    client: AsyncWebClient
    queued: list[Queued] = field(default_factory=list)
    ever_missing: set[str] = field(default_factory=set)


@pytest.fixture
async def world(engine: AsyncEngine) -> AsyncIterator[World]:
    async with (
        running_slack_fake(token=TOKEN) as fake,
        aiohttp.ClientSession() as http,
    ):
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url, session=http, retry_handlers=[])
        yield World(fake, session_factory(engine), client)


async def enqueue(world: World, item: Queued, payload: dict[str, Any]) -> None:
    async with world.sessions.begin() as session:
        await outbox.enqueue(
            session, kind=item.kind, target=item.channel, payload=payload, dedupe_key=item.key
        )
        item.id = int(
            await session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key == item.key)
            )
            or 0
        )
    world.queued.append(item)


def content(text: str, valid: bool) -> dict[str, Any]:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return {"text": text, "blocks": blocks if valid else INVALID_BLOCKS}


async def run_program(world: World, relay: Relay, clock: Clock, program: list[Any]) -> None:
    posts: list[Queued] = []
    faults = timeouts = 0
    for n, step in enumerate(program):
        if isinstance(step, Post):
            item = Queued(0, f"p{n}", "post", CHANNELS[step.channel], f"post {n}", step.valid)
            await enqueue(world, item, content(item.text, step.valid))
            posts.append(item)
        elif isinstance(step, Edit) and posts:
            original = posts[step.of % len(posts)]
            item = Queued(
                0, f"e{n}", "update", original.channel, f"edit {n}", step.valid, original.key
            )
            await enqueue(world, item, {**content(item.text, step.valid), "update_of": item.of})
        elif isinstance(step, Fault) and faults + step.count <= FAULT_BUDGET:
            kind = step.kind
            if kind == "timeout":
                timeouts += 1
                kind = kind if timeouts <= TIMEOUT_BUDGET else "500"
            faults += step.count
            await world.fake.fault(step.method, kind, count=step.count, seconds=HANG_SECONDS)
        elif isinstance(step, Vanish):
            world.ever_missing.add(CHANNELS[step.channel])
            await world.fake.set_channel_missing(CHANNELS[step.channel])
        elif isinstance(step, Return):
            await world.fake.set_channel_missing(CHANNELS[step.channel], missing=False)
        elif isinstance(step, Pass):
            clock.advance(step.advance)
            await relay.deliver_due()


async def drain(world: World, relay: Relay, clock: Clock) -> list[OutboxMessage]:
    """Bring every channel back and run passes until nothing is pending (or give up)."""
    for channel in CHANNELS:
        await world.fake.set_channel_missing(channel, missing=False)
    for _ in range(DRAIN_PASSES):
        clock.advance(RETRY.cap_seconds + 100)
        await relay.deliver_due()
        rows = await outbox_rows(world)
        if all(r.status != "pending" for r in rows):
            return rows
    stuck = [(r.dedupe_key, r.kind, r.last_error) for r in rows if r.status == "pending"]
    raise AssertionError(f"left pending after {DRAIN_PASSES} passes: {stuck}")


async def outbox_rows(world: World) -> list[OutboxMessage]:
    async with world.sessions() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def check(world: World, rows: list[OutboxMessage]) -> None:
    status = {r.dedupe_key: r.status for r in rows}
    error = {r.dedupe_key: r.last_error or "" for r in rows}
    by_text = {q.text: q for q in world.queued}
    ok_calls = [
        c
        for c in await world.fake.calls()
        if c["ok"] and c["method"] in ("chat.postMessage", "chat.update")
    ]
    delivered = [by_text[str(c["params"]["text"])] for c in ok_calls]

    for item in world.queued:
        times = sum(1 for d in delivered if d is item)
        assert times == (1 if status[item.key] == "sent" else 0), (item, times, status[item.key])
        if status[item.key] == "dead":  # only for a reason retrying cannot fix
            reason = error[item.key]
            justified = (
                (reason == "invalid_blocks" and not item.valid)
                or (reason == "channel_not_found" and item.channel in world.ever_missing)
                or (item.of is not None and status[item.of] == "dead" and item.of in reason)
            )
            assert justified, (item, reason)
        could_be_delivered = (
            item.valid
            and item.channel not in world.ever_missing
            and (item.of is None or status[item.of] == "sent")
        )
        if could_be_delivered:
            assert status[item.key] == "sent", (item, error[item.key])

    for channel in CHANNELS:  # in queue order within each channel
        ids = [d.id for d in delivered if d.channel == channel]
        assert ids == sorted(ids), (channel, ids)

    for channel in CHANNELS:  # each message shows its last delivered edit
        shown = {m["ts"]: m["text"] for m in await world.fake.messages(channel)}
        posted = {
            str(c["params"]["text"]): c for c in ok_calls if c["method"] == "chat.postMessage"
        }
        assert len(shown) == len(
            [d for d in delivered if d.kind == "post" and d.channel == channel]
        )
        for post in (q for q in world.queued if q.kind == "post" and q.channel == channel):
            if status[post.key] != "sent":
                continue
            edits = [q for q in world.queued if q.of == post.key and status[q.key] == "sent"]
            expected = edits[-1].text if edits else post.text
            assert post.text in posted
            assert expected in shown.values(), (post, expected, shown)


# The ways a channel used to stop, always tried: an edit of a message Slack refused (it waited
# for a `ts` that never came, and the channel behind it), and of one whose channel vanished.
DEAD_HEAD = [Post(0, False), Edit(0, True), Post(0, True), Post(1, True), Pass(0.0)]
VANISHED = [Vanish(0), Post(0, True), Pass(0.0), Edit(0, True), Return(0), Post(0, True)]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=st.lists(steps, min_size=6, max_size=30))
@example(program=DEAD_HEAD)
@example(program=VANISHED)
async def test_the_relay_never_stops_a_channel(world: World, program: list[Any]) -> None:
    await world.fake.reset()
    async with world.sessions.begin() as session:
        await session.execute(delete(OutboxMessage))
    world.queued, world.ever_missing = [], set()
    clock = Clock()
    tuning = RelayTuning(retry=RETRY, poll_seconds=0.01, send_timeout=SEND_TIMEOUT)
    relay = Relay(world.sessions, world.client, tuning, clock=clock)
    await run_program(world, relay, clock, program)
    rows = await drain(world, relay, clock)
    await check(world, rows)
    for row in rows:  # what the examples covered (pytest --hypothesis-show-statistics)
        event(
            f"{row.kind} {row.status}"
            + (" (edit of a dead message)" if "never" in (row.last_error or "") else "")
        )
