"""`connectbot sandbox`: the fake Stripe, the fake Slack (with its console) and the real server.

All three run on 127.0.0.1 in one asyncio loop, wired together: connectbot talks to the fakes'
APIs, the fake Stripe delivers signed webhooks to connectbot (from an account endpoint and a
Connect endpoint, each with its own secret), and the console sends signed Slack requests to
connectbot. With `bot/sandbox_seed.py` and `bot/demo/` (which drives a sandbox) it is the only
product code that imports `sandbox` (import-linter holds everything else to it); the seeded
workspace's people, channels and secrets are `bot/sandbox_workspace.py`. `bot/cli.py` imports it
and the demo only when one of them runs (`connectbot` without credentials runs the sandbox), so
the real server never loads `sandbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from aiohttp import web

from bot.config import DEFAULT_DATABASE_URL, Settings, load_settings
from bot.database import upgrade_database
from bot.errors import CommandFailed
from bot.event_processor import ProcessorTuning
from bot.notifications.relay import RelayTuning
from bot.sandbox_seed import seed_customer
from bot.sandbox_workspace import (
    ADMIN,
    BOT_TOKEN,
    CONNECT_WEBHOOK_SECRET,
    GENERAL_CHANNEL,
    OPERATOR,
    OPS_CHANNEL,
    PEOPLE,
    SIGNING_SECRET,
    TEAM_ID,
    WEBHOOK_SECRET,
    SandboxUrls,
)
from bot.server import build_server
from bot.stripe_ops.client import API_VERSION
from bot.stripe_ops.webhooks import WEBHOOK_PATH
from bot.workers import WorkerTuning
from sandbox.saved import UnreadableSave, open_beside
from sandbox.slack_fake import app as slack_app
from sandbox.slack_fake.api import STATE_KEY
from sandbox.slack_fake.console import CONSOLE_KEY, add_person
from sandbox.stripe_fake import app as stripe_app
from sandbox.stripe_fake.store import STATE_KEY as STRIPE_STATE_KEY

# The console polls every second; the workers keep up with it.
TUNING = WorkerTuning(relay=RelayTuning(poll_seconds=0.2), events=ProcessorTuning(poll_seconds=0.2))

log = logging.getLogger(__name__)


def _quiet(_line: str) -> None:
    pass


def _socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise CommandFailed(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    return sock


def _url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def _serve(stack: AsyncExitStack, app: web.Application, sock: socket.socket) -> None:
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.SockSite(runner, sock).start()


def sandbox_settings(*, database_url: str, server: str, slack: str, stripe: str) -> Settings:
    """Settings for connectbot against the fakes, with fixed sandbox secrets and seeded roles."""
    return load_settings(
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_team_id=TEAM_ID,
        slack_api_url=f"{slack}/api/",
        stripe_secret_key="sk_test_connectbot_sandbox",
        stripe_client_id="ca_connectbot_sandbox",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
        stripe_api_base=stripe,
        stripe_connect_base=stripe,
        public_url=server,
        database_url=database_url,
        host="127.0.0.1",
        admin_user_ids=[ADMIN],
        operator_user_ids=[OPERATOR],
        ops_channel_id=OPS_CHANNEL,
        connect_onboarding="oauth",
    )


def _seed_workspace(slack: web.Application) -> None:
    console, fake = slack[CONSOLE_KEY], slack[STATE_KEY]
    for user_id, handle, real_name, title, email in PEOPLE:
        add_person(console, fake, user_id, handle, real_name, title=title, email=email)
    console.channels.update({OPS_CHANNEL: "ops", GENERAL_CHANNEL: "general"})


@asynccontextmanager
async def running_sandbox(
    *,
    fresh: bool = False,
    port: int = 0,
    database_url: str | None = None,
    say: Callable[[str], None] = _quiet,
) -> AsyncIterator[SandboxUrls]:
    """Start everything; yield the URLs; stop, save and close everything on exit.

    The database is `database_url`, else a throwaway SQLite file when `fresh`, else the default
    `./connectbot.db`. A SQLite database keeps the fakes' Stripe and Slack beside it
    (`connectbot.sandbox.json` for `connectbot.db`), loaded at start and saved as they change,
    so a restart finds the customers and vendors the database refers to; a database without
    one is moved aside and a fresh one started, said in one line to `say`. The console listens
    on `port`, else on the port it had last time when free, else on a free one. The customer
    is seeded only into a new database; `say` hears each step of seeding. Refuses
    (CommandFailed) a port that is taken.
    """
    async with AsyncExitStack() as stack:
        if database_url is None and fresh:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="connectbot-"))
            database_url = f"sqlite+aiosqlite:///{folder}/sandbox.db"
        database_url = database_url or DEFAULT_DATABASE_URL
        save = open_beside(_sqlite_path(database_url), say)
        new_database = _is_new_sqlite(database_url)
        saved_ports = save.ports if save else {}
        slack_sock = _socket(port) if port else _socket_or_free(saved_ports.get("console", 0))
        stripe_sock = _socket_or_free(saved_ports.get("stripe", 0))
        server_sock = _socket_or_free(saved_ports.get("server", 0))
        server, slack, stripe = _url(server_sock), _url(slack_sock), _url(stripe_sock)
        # Two endpoints, as README's set-up asks of a real platform: the platform's own events
        # and connected accounts' events, each signed with its own secret.
        fake_stripe = stripe_app.create_app(
            webhook_url=f"{server}{WEBHOOK_PATH}",
            webhook_secret=WEBHOOK_SECRET,
            connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
            webhook_api_version=API_VERSION,
        )
        fake_slack = slack_app.create_app(
            token=BOT_TOKEN, team_id=TEAM_ID, app_url=server, signing_secret=SIGNING_SECRET
        )
        if save is not None:
            try:
                save.attach(fake_stripe[STRIPE_STATE_KEY], fake_slack[STATE_KEY])
            except UnreadableSave as exc:
                raise CommandFailed(f"{exc}; delete it and the database to start fresh") from None
            save.ports = {
                "console": slack_sock.getsockname()[1],
                "stripe": stripe_sock.getsockname()[1],
                "server": server_sock.getsockname()[1],
            }
            # entered before the servers, so the last save happens after they have stopped
            await stack.enter_async_context(save.kept())
        _seed_workspace(fake_slack)
        await _serve(stack, fake_stripe, stripe_sock)
        await _serve(stack, fake_slack, slack_sock)
        settings = sandbox_settings(
            database_url=database_url, server=server, slack=slack, stripe=stripe
        )
        say("migrating the database")
        await upgrade_database(database_url)
        await _serve(stack, build_server(settings, tuning=TUNING), server_sock)
        urls = SandboxUrls(
            console=f"{slack}/console",
            slack=slack,
            stripe=stripe,
            server=server,
            database_url=database_url,
        )
        if new_database:
            await seed_customer(urls, fake_slack[STATE_KEY], say)
        yield urls


def _sqlite_path(database_url: str) -> Path | None:
    if not database_url.startswith("sqlite") or ":memory:" in database_url:
        return None
    return Path(database_url.split("///", 1)[-1])


def _is_new_sqlite(database_url: str) -> bool:
    path = _sqlite_path(database_url)
    return path is not None and not path.exists()


def _socket_or_free(port: int) -> socket.socket:
    """A socket on `port` when it is free, else on any free port."""
    if port:
        with contextlib.suppress(CommandFailed):
            return _socket(port)
    return _socket(0)


def run_sandbox(*, fresh: bool = False, port: int = 0) -> None:
    """Run the sandbox until SIGINT/SIGTERM, printing one line to stdout: where the console is.
    Each step of starting that takes a while (migrating, seeding) is one line on stderr."""
    logging.getLogger("bot").setLevel(logging.WARNING)
    # A request cut short by Ctrl-C rolls back with CancelledError, which the pool logs with a
    # traceback; the rollback still happens, so the terminal need not see it.
    logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)
    asyncio.run(_until_signalled(fresh=fresh, port=port))


def _progress(line: str) -> None:
    print(f"connectbot sandbox: {line}", file=sys.stderr, flush=True)


async def _until_signalled(*, fresh: bool, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_sandbox(fresh=fresh, port=port, say=_progress) as urls:
        if not stop.is_set():  # Ctrl-C during start-up: stop without inviting anyone in
            print(f"connectbot sandbox: open {urls.console}", flush=True)
        await stop.wait()
