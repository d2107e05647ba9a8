"""Signed Stripe webhooks as load: the same kind of event to connectbot and to the bare floor."""

from __future__ import annotations

from typing import Any

import aiohttp

from bench.load import Side
from tests.harness import WEBHOOK_SECRET
from tests.stripe_events import encode, event, sign


def webhook_side(http: aiohttp.ClientSession, url: str) -> Side:
    """Distinct signed `balance.available` events POSTed to `url`; answered means 2xx."""

    async def prepare(n: int) -> list[Any]:
        bodies = [encode(event("balance.available", {"object": "balance"})) for _ in range(n)]
        return [(body, sign(body, WEBHOOK_SECRET)) for body in bodies]

    async def send(request: Any) -> bool:
        body, signature = request
        headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
        async with http.post(url, data=body, headers=headers) as resp:
            await resp.read()
            return 200 <= resp.status < 300

    return Side(prepare, send)
