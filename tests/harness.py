"""The end-to-end harness: fake Stripe, fake Slack and the real connectbot server, wired together.

`running_connectbot()` starts all three on free 127.0.0.1 ports, with connectbot's
SLACK_API_URL / STRIPE_API_BASE / STRIPE_CONNECT_BASE pointing at the fakes and the fake
Stripe delivering signed webhooks to connectbot. Tests then act as Slack would (`cb.slack_sender`)
and assert on what reached the fakes and on the database (`cb.sessions`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.backoff import RetryPolicy
from bot.config import Settings, load_settings
from bot.database import upgrade_database
from bot.event_processor import ProcessorTuning
from bot.notifications.relay import RelayTuning
from bot.server import build_server
from bot.services import SERVICES
from bot.stripe_ops.client import API_VERSION
from bot.stripe_ops.webhooks import WEBHOOK_PATH
from bot.workers import WorkerTuning
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.interactions import Workspace
from sandbox.slack_fake.reply import SlackReply
from sandbox.slack_fake.testing import SlackFake, running_slack_fake
from sandbox.stripe_fake.testing import StripeFake, running_stripe_fake
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, StripeEvent
from tests.fidelity import assert_ledger_agrees, assert_stripe_requests_faithful

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
WEBHOOK_SECRET = "whsec_test_platform"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect"
TEAM_ID = Workspace().team_id
ADMIN = "U0ADMIN"
OPERATOR = "U0OPERATOR"
OPERATOR_2 = "U0OPERATOR2"
OPS_CHANNEL = "C0OPS"


def free_socket() -> socket.socket:
    """A listening-ready socket on a free loopback port (no race between choosing and binding)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Connectbot:
    url: str
    settings: Settings
    slack: SlackFake
    stripe: StripeFake
    slack_sender: SlackSender
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    app: web.Application
    http: aiohttp.ClientSession
    tuning: WorkerTuning

    async def until(self, check: Any, *, timeout: float = 30.0, what: str = "condition") -> Any:
        """Poll `check()` (sync or async) until it returns something truthy; fail after timeout.

        The waits here are patient on purpose: they return as soon as the condition holds, so
        only a failing test waits the whole timeout, and a loaded 2-core CI machine needs it.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        pause = 0.005
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            # Soon at first (most conditions hold within a few milliseconds of the request that
            # causes them), then every 50 ms: a flat 50 ms cost 25 ms per wait on average.
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def events_handled(self, *, timeout: float = 30.0) -> None:
        """Wait until the fake Stripe delivered every webhook it owes and connectbot handled (or
        gave up on) every stored event, so background work does not interleave with what a test
        counts. Messages those events queued may still be on their way: see `settled`."""
        await self.stripe.deliver()
        await self.until(self._no_event_waiting, timeout=timeout, what="stored events handled")

    async def _no_event_waiting(self) -> bool:
        limit = self.tuning.events.retry.max_attempts
        waiting = (
            select(func.count())
            .select_from(StripeEvent)
            .where(StripeEvent.processed_at.is_(None), StripeEvent.attempts < limit)
        )
        async with self.sessions() as session:
            return not await session.scalar(waiting)

    async def settled(self, *, timeout: float = 30.0) -> None:
        """Wait until connectbot has nothing left to do, so a test can count what it did.

        Settled means: the fake Stripe delivered every webhook it owes, no outbox message is
        pending (due, backing off, or leased and being sent), and no stored Stripe event is
        waiting to be handled (given-up events and dead messages do not count: nothing will
        retry them). Seen twice in a row, a poll apart, so work handed from one to the other
        (an event whose handling queues a message) is not caught in between. Use this instead
        of sleeping before asserting that something happened only once.
        """
        await self.stripe.deliver()
        pending = (
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )

        async def idle() -> bool:
            async with self.sessions() as session:
                if await session.scalar(pending):
                    return False
            return await self._no_event_waiting()

        async def idle_twice() -> bool:
            if not await idle():
                return False
            await asyncio.sleep(0.05)
            return await idle()

        await self.until(idle_twice, timeout=timeout, what="connectbot to settle")

    async def posted(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        """Successful Slack calls of `method`, in order."""
        return [c for c in await self.slack.calls(method) if c.get("ok")]

    async def posts_mentioning(self, channel: str, word: str) -> list[dict[str, Any]]:
        """The messages the fake Slack holds in `channel` whose text contains `word`, in order."""
        return [m for m in await self.slack.messages(channel) if word in str(m.get("text", ""))]

    async def command_as_sent(
        self, command: str, text: str, *, trigger_id: str, response_url: str
    ) -> SlackReply:
        """The operator's `command` in #general, sent with a trigger id and response URL the
        test chose (an expired one, or those of a command already sent: Slack's retry)."""
        ws = self.slack_sender.workspace
        fields = {
            "token": ws.verification_token,
            "team_id": ws.team_id,
            "team_domain": ws.team_domain,
            "channel_id": "C_GENERAL",
            "channel_name": "general",
            "user_id": OPERATOR,
            "user_name": "otto",
            "command": command,
            "text": text,
            "api_app_id": ws.api_app_id,
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return await self.slack_sender.send_form(fields)

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with self.http.get(self.url + path, allow_redirects=False, **kwargs) as resp:
            return resp.status, await resp.text()


def make_settings(
    database_url: str, public_url: str, slack_api: str, stripe_base: str, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": BOT_TOKEN,
        "slack_team_id": TEAM_ID,
        "slack_api_url": slack_api,
        "stripe_secret_key": "sk_test_connectbot",
        "stripe_client_id": "ca_connectbot",
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_connect_webhook_secret": CONNECT_WEBHOOK_SECRET,
        "stripe_api_base": stripe_base,
        "stripe_connect_base": stripe_base,
        "public_url": public_url,
        "database_url": database_url,
        "admin_user_ids": [ADMIN],
        "operator_user_ids": [OPERATOR, OPERATOR_2],
        "ops_channel_id": OPS_CHANNEL,
    }
    values.update(extra)
    return load_settings(**values)


# Background workers on a test's time scale: short polls and backoffs, same rules.
FAST = WorkerTuning(
    relay=RelayTuning(poll_seconds=0.05, retry=RetryPolicy(base_seconds=0.2, cap_seconds=1.0)),
    events=ProcessorTuning(
        poll_seconds=0.05, retry=RetryPolicy(base_seconds=0.2, cap_seconds=1.0, max_attempts=5)
    ),
)


@asynccontextmanager
async def server_without_database() -> AsyncIterator[str]:
    """connectbot's server alone, its database (and Slack and Stripe) on a port nobody answers:
    its public URL, for what the server says when it cannot reach its database."""
    sock = free_socket()
    settings = make_settings(
        "postgresql+asyncpg://nobody@127.0.0.1:1/none",
        f"http://127.0.0.1:{sock.getsockname()[1]}",
        "http://127.0.0.1:1/api/",
        "http://127.0.0.1:1",
    )
    runner = web.AppRunner(build_server(settings))
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield settings.public_url
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_connectbot(
    database_url: str,
    *,
    tuning: WorkerTuning = FAST,
    deliver_webhooks: bool = True,
    webhook_api_version: str = API_VERSION,
    **overrides: Any,
) -> AsyncIterator[Connectbot]:
    """Start the fakes and the server; everything is stopped and closed on exit.

    The fake Stripe has two webhook endpoints at connectbot's /stripe/webhook, as README's
    set-up asks for: the platform's events signed with WEBHOOK_SECRET, connected accounts'
    with CONNECT_WEBHOOK_SECRET, both rendered at ``webhook_api_version``.
    With ``deliver_webhooks=False`` the fake Stripe records events (``cb.stripe.events()``) but
    sends none, so a test can deliver them itself, in any order.
    """
    async with AsyncExitStack() as stack:
        sock = free_socket()
        public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        slack = await stack.enter_async_context(running_slack_fake(token=BOT_TOKEN))
        stripe = await stack.enter_async_context(
            running_stripe_fake(
                webhook_url=f"{public_url}{WEBHOOK_PATH}" if deliver_webhooks else None,
                webhook_secret=WEBHOOK_SECRET,
                connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
                webhook_api_version=webhook_api_version,
            )
        )
        settings = make_settings(database_url, public_url, slack.api_url, stripe.url, **overrides)
        await upgrade_database(settings.database_url)

        app = build_server(settings, tuning=tuning)
        # Handlers still running at the end of a test get 2 s, not aiohttp's 60, to finish.
        runner = web.AppRunner(app, shutdown_timeout=2.0)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.SockSite(runner, sock).start()

        engine = create_engine(database_url)
        stack.push_async_callback(engine.dispose)
        http = await stack.enter_async_context(aiohttp.ClientSession())
        sender = await stack.enter_async_context(
            SlackSender(
                f"{public_url}/slack/events", SIGNING_SECRET, fake_url=slack.url, session=http
            )
        )
        cb = Connectbot(
            url=public_url,
            settings=settings,
            slack=slack,
            stripe=stripe,
            slack_sender=sender,
            engine=engine,
            sessions=session_factory(engine),
            app=app,
            http=http,
            tuning=tuning,
        )
        yield cb
        await assert_stripe_requests_faithful(stripe)
        await assert_ledger_agrees(stripe, cb.sessions)


__all__ = ["SERVICES", "Connectbot", "running_connectbot"]
