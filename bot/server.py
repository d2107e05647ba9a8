"""The aiohttp application: Bolt at /slack/events, the Stripe and page routes, /healthz, /metrics.

Long-lived resources (database engine, Stripe clients, Slack client) are created when the app
starts and closed when it stops, in `_resources`; nothing here is global.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.app import build_bolt_app, dispatch_until_acked
from bot.commands.catalog import COMMANDS
from bot.config import Settings
from bot.handlers import build_event_handlers
from bot.metrics import CONTENT_TYPE, Metrics
from bot.services import SERVICES, Services
from bot.slack_client import create_slack_client
from bot.stripe_ops.client import connect_stripe
from bot.web.routes import add_routes
from bot.workers import WORKERS, WorkerTuning, running_workers
from storage import migrate
from storage.db import create_engine, ping, session_factory
from storage.group_commit import GroupCommit
from storage.models import utcnow
from storage.repos import events, outbox

log = logging.getLogger(__name__)

BOLT = web.AppKey("bolt", AsyncApp)


def build_server(settings: Settings, *, tuning: WorkerTuning | None = None) -> web.Application:
    """The whole HTTP surface as one aiohttp Application.

    `tuning` changes the background workers' timing (tests use short backoffs).
    """
    app = web.Application(client_max_size=1024 * 1024, middlewares=[_measured])
    app.cleanup_ctx.append(_resources(settings, tuning or WorkerTuning()))
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_text)
    add_routes(app)
    return app


def _resources(
    settings: Settings, tuning: WorkerTuning
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def resources(app: web.Application) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        metrics = Metrics(slash_commands=[spec.name for spec in COMMANDS])
        http = aiohttp.ClientSession()  # one connection pool for Slack and Stripe
        stripe_connection = connect_stripe(settings, session=http, observe=metrics.stripe_request)
        slack = create_slack_client(settings, session=http)
        outbox_ready = asyncio.Event()
        sessions = session_factory(engine, on_outbox_commit=outbox_ready.set)
        services = Services(
            settings=settings,
            engine=engine,
            sessions=sessions,
            event_intake=GroupCommit(sessions),
            outbox_ready=outbox_ready,
            stripe=stripe_connection,
            slack=slack,
            metrics=metrics,
            handled_event_types=frozenset(build_event_handlers().types()),
        )
        app[SERVICES] = services
        app[BOLT] = build_bolt_app(services)
        try:
            async with running_workers(services, tuning) as workers:
                app[WORKERS] = workers
                yield
        finally:
            await http.close()
            await engine.dispose()

    return resources


@web.middleware
async def _measured(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every request's latency by its route's path template (never the raw URL)."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:  # aiohttp's own answers: 404, 405, redirects
        status = exc.status
        raise
    finally:
        services = request.app.get(SERVICES)
        if services is not None:
            resource = request.match_info.route.resource
            services.metrics.http_request(
                route=resource.canonical if resource is not None else "unmatched",
                method=request.method,
                status=status,
                seconds=time.perf_counter() - started,
            )


async def slack_events(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    bolt_request = await to_bolt_request(request)
    bolt_response = await dispatch_until_acked(request.app[BOLT], bolt_request)
    command = bolt_request.body.get("command")
    if isinstance(command, str):
        request.app[SERVICES].metrics.slack_command(command, time.perf_counter() - started)
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    """200 with the database's state when it answers and is migrated; 503 otherwise.

    `outbox.oldest_pending_seconds` is how long the oldest unsent Slack message has waited
    (0 when none waits): a number that only grows means messages are stuck.
    """
    services = request.app[SERVICES]
    try:
        await ping(services.engine)
        current = await migrate.is_current(services.engine)
    except Exception as exc:  # any driver error means "not healthy", never a traceback
        log.warning("health check: database unreachable: %s", exc)
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    if not current:
        return web.json_response({"ok": False, "database": "not migrated"}, status=503)
    async with services.sessions() as session:
        messages = await outbox.counts(session)
        oldest = await outbox.oldest_pending(session)
        failed_events = await events.failed_count(
            session, max_attempts=_max_event_attempts(request)
        )
    return web.json_response(
        {
            "ok": True,
            "database": "ok",
            "outbox": {
                "pending": messages.get("pending", 0),
                "dead": messages.get("dead", 0),
                "oldest_pending_seconds": _age_seconds(oldest),
            },
            "events_failed": failed_events,
        }
    )


async def metrics_text(request: web.Request) -> web.Response:
    """Prometheus' text format (bot/metrics.py); 503 in plain words when the database is down."""
    services = request.app[SERVICES]
    try:
        async with services.sessions() as session:
            body = await services.metrics.render(
                session, max_event_attempts=_max_event_attempts(request)
            )
    except Exception as exc:  # a scrape never shows a traceback; /healthz says more
        log.warning("metrics: database unreachable: %s", exc)
        return web.Response(status=503, text="database unreachable\n")
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def _max_event_attempts(request: web.Request) -> int:
    """The running event processor's bound: past it an event counts as failed."""
    return request.app[WORKERS].tuning.events.retry.max_attempts


def _age_seconds(since: datetime | None) -> int:
    return 0 if since is None else max(0, int((utcnow() - since).total_seconds()))
