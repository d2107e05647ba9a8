"""Events: recorded for every state change, listed under /v1/events, delivered as signed webhooks.

Delivery (when a webhook URL and secret are configured) runs in one background task, in
creation order. A failed delivery (network error or non-2xx) is retried after 0.05, 0.2, 0.5
and 1 s, then marked ``failed`` and the next event is delivered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import aiohttp
from stripe._api_version import _ApiVersion

from .api import Ctx, Json, api, list_object
from .store import State, new_id, render

RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)


def record(
    state: State,
    type_: str,
    obj: Json,
    *,
    account: str | None,
    livemode: bool = False,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    previous: Json | None = None,
) -> Json:
    """Record an event with a snapshot of ``obj``; connected-account events carry ``account``."""
    data: Json = {"object": render(obj)}
    if previous is not None:
        data["previous_attributes"] = previous
    event: Json = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": _ApiVersion.CURRENT,
        "created": state.clock.now(),
        "data": data,
        "livemode": livemode,
        "pending_webhooks": 1 if state.webhook_url else 0,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type_,
        "_delivery": {"status": "pending" if state.webhook_url else "none", "attempts": 0},
    }
    if account is not None:
        event = {"id": event["id"], "object": "event", "account": account, **event}
    state.put(event, account)
    state.events.append(event)
    state.wake.set()
    return event


def emit(ctx: Ctx, type_: str, obj: Json, *, previous: Json | None = None) -> Json:
    """Record an event caused by the API request ``ctx``, on the request's account."""
    return emit_on(ctx, ctx.account, type_, obj, previous=previous)


def emit_on(
    ctx: Ctx, account: str | None, type_: str, obj: Json, *, previous: Json | None = None
) -> Json:
    """Record an event caused by the API request ``ctx``, on ``account``."""
    return record(
        ctx.state,
        type_,
        obj,
        account=account,
        livemode=ctx.livemode,
        request_id=ctx.request_id,
        idempotency_key=ctx.idempotency_key,
        previous=previous,
    )


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """Stripe's ``Stripe-Signature`` header value for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@api("GET", "/v1/events")
def list_events(ctx: Ctx) -> Json:
    items = ctx.state.all("event", ctx.account)
    if ctx.params.get("type"):
        items = [e for e in items if e["type"] == ctx.params["type"]]
    return list_object(ctx, "/v1/events", items)


@api("GET", "/v1/events/{id}")
def retrieve_event(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "event"))


async def _post(session: aiohttp.ClientSession, url: str, secret: str, event: Json) -> bool:
    payload = json.dumps(render(event))
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload, secret)}
    try:
        async with session.post(url, data=payload, headers=headers) as resp:
            return 200 <= resp.status < 300
    except (TimeoutError, aiohttp.ClientError):
        return False


async def deliver_forever(state: State) -> None:
    """The delivery task: sends pending events in order, retrying with backoff."""
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            await state.wake.wait()
            state.wake.clear()
            while True:
                pending = [e for e in state.events if e["_delivery"]["status"] == "pending"]
                if not pending or not state.webhook_url or not state.webhook_secret:
                    break
                await _deliver_one(session, state, pending[0])


async def _deliver_one(session: aiohttp.ClientSession, state: State, event: Json) -> None:
    delivery = event["_delivery"]
    for delay in (*RETRY_DELAYS, None):
        delivery["attempts"] += 1
        assert state.webhook_url and state.webhook_secret
        if await _post(session, state.webhook_url, state.webhook_secret, event):
            delivery["status"] = "delivered"
            event["pending_webhooks"] = 0
            return
        if delay is None:
            break
        await asyncio.sleep(delay)
    delivery["status"] = "failed"


async def flush(state: State, within: float = 15.0) -> None:
    """Wait until no delivery is pending (or ``within`` seconds have passed)."""
    deadline = time.monotonic() + within
    while any(e["_delivery"]["status"] == "pending" for e in state.events):
        if time.monotonic() > deadline or not state.webhook_url or not state.webhook_secret:
            return
        state.wake.set()
        await asyncio.sleep(0.01)
