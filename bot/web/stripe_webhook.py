"""`POST /stripe/webhook`: verify, store by event id, answer at once; handling comes after.

Concurrent deliveries are stored together (`storage/group_commit.py`): one transaction, one
commit, for every delivery that arrived while the previous commit was in flight.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.refusal import Refusal
from bot.services import SERVICES
from bot.stripe_ops.webhooks import verify_event

log = logging.getLogger(__name__)


async def receive(request: web.Request) -> web.Response:
    """400 for anything unverified (nothing stored); 200 for a new or duplicate event, once
    its row is committed.

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
    if isinstance(event, Refusal):
        log.warning("stripe webhook refused: %s", event.message)
        return web.json_response({"error": event.message}, status=400)
    try:
        stored = await services.event_intake.store(event)
    except Exception:
        log.exception("could not store stripe event %s", event["id"])
        return web.json_response({"error": "temporarily unavailable"}, status=503)
    if stored:
        services.events_ready.set()
    return web.json_response({"received": True, "duplicate": not stored})
