"""One chaos run: set the world up, let the crowd act under faults, settle, check, report."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.chaos import invariants, notifications
from bench.chaos.acts import ACTS, Skip
from bench.chaos.faults import STRIPE_KINDS, Injector
from bench.chaos.network import Network
from bench.chaos.people import OPERATORS, OPS_CHANNEL, Eyes, GaveUp, button
from bench.chaos.servers import ServerPool, Wiring
from bot.database import upgrade_database
from bot.stripe_ops.webhooks import WEBHOOK_PATH
from sandbox.slack_fake.api import STATE_KEY as SLACK_STATE
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.interactions import Workspace
from sandbox.slack_fake.testing import running_slack_fake
from sandbox.stripe_fake.store import STATE_KEY as STRIPE_STATE
from storage.db import create_engine, session_factory
from storage.models import Charge, OutboxMessage, Refund, Vendor
from tests.databases import fresh_database
from tests.harness import (
    BOT_TOKEN,
    CONNECT_WEBHOOK_SECRET,
    SIGNING_SECRET,
    TEAM_ID,
    WEBHOOK_SECRET,
    free_socket,
)

WORKERS = 4  # people acting at once
ACT_SECONDS = 30.0  # an act still running after this is abandoned


@dataclass
class Tally:
    operations: Counter[str] = field(default_factory=Counter)
    gave_up: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    checks: dict[str, list[str]] = field(default_factory=dict)
    faults: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    settle_seconds: float = 0.0

    @property
    def violations(self) -> int:
        return sum(len(v) for v in self.checks.values())


def name(act: Callable[..., object]) -> str:
    return act.__name__.replace("_", " ")


async def crowd(eyes: Eyes, rng: random.Random, tally: Tally) -> None:
    """One person acting until cancelled: a random act, then the next."""
    acts, weights = zip(*ACTS, strict=True)
    while True:
        act = rng.choices(acts, weights=weights)[0]
        try:
            async with asyncio.timeout(ACT_SECONDS):
                tally.operations[await act(eyes, rng)] += 1
        except Skip:
            tally.skipped += 1
            await asyncio.sleep(0.2)
        except GaveUp as exc:
            tally.operations[f"{name(act)} (gave up)"] += 1
            tally.gave_up[f"{name(act)}: waited for {exc}"] += 1
        except (aiohttp.ClientError, TimeoutError) as exc:
            tally.operations[f"{name(act)} (gave up)"] += 1
            tally.gave_up[f"{name(act)}: {type(exc).__name__}"] += 1


async def decide_the_rest(eyes: Eyes) -> None:
    """After the faults: every charge still waiting for approval is approved by an operator
    other than its requester (people finish what they started)."""
    for charge in await eyes.charges("awaiting_approval"):
        other = next(o for o in OPERATORS if o != charge.requested_by)
        for message in eyes.messages(OPS_CHANNEL):
            found = button(message, action_id="charge_approve")
            if found and found.get("value") == charge.id:
                await eyes.sender.block_action(
                    "charge_approve", user_id=other, message=message, channel_id=OPS_CHANNEL
                )


async def settle(eyes: Eyes, limit: float, say: Callable[[str], None]) -> float:
    """Until nothing is pending (or `limit` seconds): how long it took."""
    started = time.monotonic()
    stripe = eyes.stripe.app[STRIPE_STATE]
    told = started
    while time.monotonic() - started < limit:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            await decide_the_rest(eyes)
        pending = await invariants.nothing_pending(eyes.sessions, stripe)
        if not pending:
            await asyncio.sleep(3)  # a late duplicate or a last message would show now
            if not await invariants.nothing_pending(eyes.sessions, stripe):
                break
        elif time.monotonic() - told > 15:
            told = time.monotonic()
            say(f"still pending: {len(pending)}, e.g. {pending[0]}")
        await asyncio.sleep(1)
    return time.monotonic() - started


@asynccontextmanager
async def world(
    database_url: str, logs: Path, rng: random.Random
) -> AsyncIterator[tuple[Eyes, ServerPool, Network]]:
    """The fakes, the network and three servers on `database_url`, and the crowd's eyes."""
    async with AsyncExitStack() as stack:
        sock = free_socket()
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        slack = await stack.enter_async_context(running_slack_fake(token=BOT_TOKEN))
        from sandbox.stripe_fake.testing import running_stripe_fake

        stripe = await stack.enter_async_context(
            running_stripe_fake(
                webhook_url=f"{base}/in{WEBHOOK_PATH}",
                webhook_secret=WEBHOOK_SECRET,
                connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
            )
        )
        await upgrade_database(database_url)
        wiring = Wiring(database_url, f"{base}/in", stripe.url, base)
        pool = ServerPool(wiring, logs)
        network = Network(pool.live, slack.url, rng, invariants.leaks)
        runner = web.AppRunner(network.app, shutdown_timeout=1.0)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.SockSite(runner, sock).start()
        stack.callback(pool.stop_all)
        await pool.start_all()
        engine = create_engine(database_url)
        stack.push_async_callback(engine.dispose)
        http = await stack.enter_async_context(aiohttp.ClientSession())
        sender = SlackSender(
            f"{base}/in/slack/events",
            SIGNING_SECRET,
            fake_url=slack.url,
            workspace=Workspace(team_id=TEAM_ID),
            session=http,
        )
        yield Eyes(slack, stripe, sender, http, session_factory(engine)), pool, network


async def check(eyes: Eyes, pool: ServerPool, network: Network, tally: Tally) -> None:
    """Every invariant, into `tally.checks` (after the servers have stopped)."""
    stripe = eyes.stripe.app[STRIPE_STATE]
    slack = eyes.slack.app[SLACK_STATE]
    sessions = eyes.sessions
    messages = await invariants.rows(sessions, OutboxMessage)
    charges = await invariants.rows(sessions, Charge)
    views = {
        str(v.get("id")) for v in slack.views.values() if v.get("callback_id") == "charge_confirm"
    }
    tally.checks["nothing left pending"] = await invariants.nothing_pending(sessions, stripe)
    tally.checks[
        "charges: one PaymentIntent, right account and fee"
    ] = await invariants.charges_confirmed_once(sessions, stripe, views)
    tally.checks["ledger agrees with Stripe to the cent"] = await invariants.ledger_agrees(
        sessions, stripe
    )
    duplicates = notifications.posted_once(messages, slack.calls, network.log.slack_calls, pool)
    tally.duplicates["after a kill between Slack's answer and the commit"] = duplicates.after_kill
    tally.duplicates["after Slack's answer was lost"] = duplicates.after_lost_answer
    tally.checks["every notification posted exactly once"] = duplicates.violations
    stripe_charges = {c.stripe_charge_id for c in charges if c.stripe_charge_id}
    disputes = [
        obj_id
        for obj_id, obj in stripe.objects.items()
        if obj.get("object") == "dispute" and obj.get("charge") in stripe_charges
    ]
    vendor_users = {v.id: v.slack_user_id for v in await invariants.rows(sessions, Vendor)}
    tally.checks["every notification that should exist was queued"] = notifications.should_exist(
        messages, charges, await invariants.rows(sessions, Refund), disputes, vendor_users
    )
    tally.checks["no request Stripe would refuse"] = await invariants.requests_faithful(eyes.stripe)
    tally.checks["no traceback or secret in logs, messages or pages"] = (
        invariants.logs_clean(pool.logs) + invariants.slack_clean(slack) + network.log.leaks
    )


async def chaos(
    *,
    seconds: float,
    seed: int,
    rate: float,
    logs: Path,
    stripe_faults: tuple[str, ...] = STRIPE_KINDS,
    settle_limit: float = 300.0,
) -> Tally:
    """The whole run on a fresh PostgreSQL database (TEST_DATABASE_URL's server)."""
    rng = random.Random(seed)
    tally = Tally()
    began = time.monotonic()

    def say(what: str) -> None:
        print(f"chaos: [{time.monotonic() - began:5.1f} s] {what}", file=sys.stderr, flush=True)

    async with fresh_database("postgresql", logs) as database_url:
        async with world(database_url, logs, rng) as (eyes, pool, network):
            say("three servers ready; the crowd starts, and the faults")
            injector = Injector(eyes.stripe, eyes.slack, pool, rng, rate, stripe_faults)
            tasks = [asyncio.create_task(crowd(eyes, rng, tally)) for _ in range(WORKERS)]
            tasks += [
                asyncio.create_task(injector.run()),
                asyncio.create_task(injector.webhooks()),
            ]
            kills = asyncio.create_task(injector.kills())
            await asyncio.sleep(seconds)
            for task in [*tasks, kills]:
                task.cancel()
            await asyncio.gather(*tasks, kills, return_exceptions=True)
            await injector.stop()
            say(f"faults stopped after {sum(tally.operations.values())} operations; settling")
            tally.faults = Counter(injector.log.struck)
            tally.faults["webhooks held back and released together"] = injector.log.webhook_holds
            tally.kills = pool.kills
            tally.settle_seconds = await settle(eyes, settle_limit, say)
            say(f"settled in {tally.settle_seconds:.0f} s; stopping the servers, checking")
            pool.stop_all()
            await check(eyes, pool, network, tally)
    return tally
