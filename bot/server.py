"""The aiohttp application: Bolt at /slack/events, the Stripe and page routes, /healthz.

Long-lived resources (database engine, Stripe clients, Slack client) are created when the app
starts and closed when it stops, in `_resources`; nothing here is global.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.app import build_bolt_app
from bot.config import Settings
from bot.services import Services
from bot.slack_client import create_slack_client
from bot.stripe_ops.client import connect_stripe
from storage import migrate
from storage.db import create_engine, ping, session_factory

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
BOLT = web.AppKey("bolt", AsyncApp)


def build_server(settings: Settings) -> web.Application:
    """The whole HTTP surface of PRODUCT.md §8 as one aiohttp Application."""
    app = web.Application(client_max_size=1024 * 1024)
    app.cleanup_ctx.append(_resources(settings))
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


def _resources(settings: Settings):  # type: ignore[no-untyped-def]
    async def resources(app: web.Application) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        http = aiohttp.ClientSession()  # one connection pool for Slack and Stripe
        stripe_connection = connect_stripe(settings, session=http)
        slack = create_slack_client(settings, session=http)
        services = Services(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            stripe=stripe_connection,
            slack=slack,
        )
        app[SERVICES] = services
        app[BOLT] = build_bolt_app(services)
        try:
            yield
        finally:
            await http.close()
            await engine.dispose()

    return resources


async def slack_events(request: web.Request) -> web.StreamResponse:
    bolt = request.app[BOLT]
    bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    """200 with the database's state when it answers and is migrated; 503 otherwise."""
    services = request.app[SERVICES]
    try:
        await ping(services.engine)
        current = await migrate.is_current(services.engine)
    except Exception as exc:  # any driver error means "not healthy", never a traceback
        log.warning("health check: database unreachable: %s", exc)
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    if not current:
        return web.json_response({"ok": False, "database": "not migrated"}, status=503)
    return web.json_response({"ok": True, "database": "ok"})
