"""`POST /stripe/webhook`: verify, store by event id, answer at once; handling comes after."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.services import SERVICES
from bot.stripe_ops.webhooks import WebhookRefusal, verify_event
from bot.workers import WORKERS
from storage.repos import events

log = logging.getLogger(__name__)


async def receive(request: web.Request) -> web.Response:
    """400 for anything unverified (nothing stored); 200 for a new or duplicate event.

    A database failure answers 503 so Stripe delivers the event again later.
    """
    services = request.app[SERVICES]
    settings = services.settings
    payload = await request.read()
    event = verify_event(
        payload,
        request.headers.get("Stripe-Signature"),
        secrets=settings.webhook_secrets,
        livemode=settings.livemode,
    )
    if isinstance(event, WebhookRefusal):
        log.warning("stripe webhook refused: %s", event.reason)
        return web.json_response({"error": event.reason}, status=400)
    try:
        async with services.sessions.begin() as session:
            stored = await events.store(session, event)
    except Exception:
        log.exception("could not store stripe event %s", event["id"])
        return web.json_response({"error": "temporarily unavailable"}, status=503)
    if stored:
        request.app[WORKERS].events.wake()
    return web.json_response({"received": True, "duplicate": not stored})
