"""A bare aiohttp handler that verifies a Stripe signature and answers 200: nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import stripe
from aiohttp import web

from bench.floors import serving
from tests.harness import WEBHOOK_SECRET

WEBHOOK_PATH = "/stripe/webhook"


async def _receive(request: web.Request) -> web.Response:
    """200 for a body signed with WEBHOOK_SECRET within Stripe's tolerance; 400 otherwise."""
    body = await request.read()
    try:
        stripe.WebhookSignature.verify_header(
            body, request.headers.get("Stripe-Signature"), WEBHOOK_SECRET, tolerance=300
        )
    except stripe.SignatureVerificationError:
        return web.Response(status=400, text="bad signature")
    return web.Response(text="ok")


@asynccontextmanager
async def running_webhook_floor() -> AsyncIterator[str]:
    """The floor's webhook URL for the block."""
    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, _receive)
    async with serving(app) as url:
        yield url + WEBHOOK_PATH
