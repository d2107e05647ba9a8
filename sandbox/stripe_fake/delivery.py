"""Webhook delivery as Stripe does it (https://docs.stripe.com/webhooks, "Event ordering",
"Handle duplicate events", "Automatic retries"):

* each endpoint gets its own copy of an event, signed with that endpoint's secret and rendered
  at that endpoint's API version (``versions.render_at``);
* order is not guaranteed: a failed delivery is retried later while the events after it go on,
  and ``POST /_fake/webhooks {"reorder": true, "seed": n}`` shuffles whatever is due together;
* an event can arrive more than once (``duplicate_rate``): a duplicate is the same event, same id;
* an endpoint that does not answer 2xx (or not within ``ATTEMPT_TIMEOUT``) is retried with
  exponential backoff: in live mode for up to three days, in test mode three times over a few
  hours. Stripe does not publish the intervals; the fake doubles from half an hour.

**Compressed time.** Retries are scheduled on the fake's clock with one hour of Stripe's schedule
per second (``COMPRESSION``): a test-mode delivery is retried 0.5, 1 and 2 seconds after its
failures and then marked ``failed``; a live-mode one until 63.5 (compressed) hours have passed.
A test may age the clock (``POST /_fake/clock``) to make a retry due at once.

Deliveries to a disabled endpoint wait: Stripe stops retrying while an endpoint is disabled and
resumes when it is enabled again before the retry would have been made.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp

from .store import State, render
from .versions import CURRENT, render_at
from .webhook_state import Delivery, Endpoint

Json = dict[str, Any]

COMPRESSION = 3600.0  # seconds of Stripe's retry schedule per second of the fake's clock
_HOUR = 3600.0 / COMPRESSION
TEST_MODE_RETRIES = (0.5 * _HOUR, 1 * _HOUR, 2 * _HOUR)
LIVE_MODE_RETRIES = tuple(0.5 * _HOUR * 2**n for n in range(7))  # 0.5 h … 32 h: 63.5 h in all
ATTEMPT_TIMEOUT = 5.0  # real seconds
REORDER_WINDOW = 0.05  # real seconds a burst of events gathers in before being shuffled
_POLL = 0.05  # how soon a retry made due by advancing the clock is noticed


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """Stripe's ``Stripe-Signature`` header value for ``payload``.

    Real time, not the fake's clock: the receiver checks the timestamp against its own clock.
    """
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event_for(event: Json, endpoint: Endpoint) -> Json:
    """The event as ``endpoint`` receives it: at its API version (the account's default, which
    in the fake is the pinned version, when the endpoint names none)."""
    version = endpoint.api_version or CURRENT
    body: Json = render(event)
    body["api_version"] = version
    if version != CURRENT:
        body["data"]["object"] = render_at(body["data"]["object"], version, event["_embedded"])
    return body


def summarize(state: State, event: Json) -> None:
    """Refresh ``pending_webhooks`` ("Number of webhooks that haven't been successfully
    delivered", Event object) and the fake's own ``_delivery`` summary of ``event``."""
    mine = [d for d in state.webhooks.deliveries if d.event_id == event["id"]]
    firsts = [d for d in mine if not d.duplicate]
    event["pending_webhooks"] = sum(1 for d in firsts if d.status != "delivered")
    statuses = {d.status for d in firsts}
    overall = next(
        (s for s in ("pending", "held", "failed") if s in statuses),
        "delivered" if firsts else "none",
    )
    event["_delivery"] = {
        "status": overall,
        "attempts": sum(d.attempts for d in mine),
        "copies": sum(1 for d in mine if d.status == "delivered"),
        "endpoints": {d.endpoint_id: d.status for d in firsts},
    }


def _sendable(state: State, delivery: Delivery) -> bool:
    endpoint = state.webhooks.endpoint(delivery.endpoint_id)
    return delivery.status == "pending" and endpoint is not None and endpoint.status == "enabled"


def due(state: State) -> list[Delivery]:
    """Deliveries to make now, in creation order, or shuffled when reordering is on."""
    now = state.clock.time()
    found = [d for d in state.webhooks.deliveries if _sendable(state, d) and d.due <= now]
    if state.webhooks.rules.reorder:
        state.webhooks.rules.rng.shuffle(found)
    return found


def _wait(state: State) -> float | None:
    """How long the delivery task may sleep: None (until woken) when nothing is scheduled."""
    waiting = [d.due for d in state.webhooks.deliveries if _sendable(state, d)]
    if not waiting:
        return None
    return max(0.0, min(_POLL, min(waiting) - state.clock.time()))


async def _post(session: aiohttp.ClientSession, endpoint: Endpoint, body: Json) -> bool:
    payload = json.dumps(body)
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": sign(payload, endpoint.secret),
    }
    try:
        async with session.post(endpoint.url, data=payload, headers=headers) as resp:
            return 200 <= resp.status < 300
    except (TimeoutError, aiohttp.ClientError):
        return False


async def attempt(session: aiohttp.ClientSession, state: State, delivery: Delivery) -> None:
    """One try of one delivery; on failure schedules the next or gives up."""
    endpoint = state.webhooks.endpoint(delivery.endpoint_id)
    event = state.objects.get(delivery.event_id)
    if endpoint is None or event is None or not _sendable(state, delivery):
        return
    delivery.attempts += 1
    delivery.last_attempt = state.clock.time()
    if await _post(session, endpoint, event_for(event, endpoint)):
        delivery.status = "delivered"
        rules = state.webhooks.rules
        if (
            not delivery.duplicate
            and rules.duplicate_rate
            and rules.rng.random() < (rules.duplicate_rate)
        ):
            state.webhooks.add_delivery(
                event["id"],
                endpoint,
                event["type"],
                now=state.clock.time(),
                livemode=delivery.livemode,
                duplicate=True,
            )
    else:
        delays = LIVE_MODE_RETRIES if delivery.livemode else TEST_MODE_RETRIES
        if delivery.attempts > len(delays):
            delivery.status = "failed"
        else:
            delivery.due = delivery.last_attempt + delays[delivery.attempts - 1]
    summarize(state, event)


async def deliver_forever(state: State) -> None:
    """The delivery task: sends due deliveries, one at a time, until cancelled."""
    timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.wake.wait(), _wait(state))
            state.wake.clear()
            if state.webhooks.rules.reorder:
                await asyncio.sleep(REORDER_WINDOW)
            for delivery in due(state):
                await attempt(session, state, delivery)


async def flush(state: State, within: float = 15.0) -> None:
    """Wait until no delivery to an enabled endpoint is pending (or ``within`` seconds passed).

    Held deliveries and those to disabled endpoints do not count: nothing will send them.
    """
    deadline = time.monotonic() + within
    while any(_sendable(state, d) for d in state.webhooks.deliveries):
        if time.monotonic() > deadline:
            return
        state.wake.set()
        await asyncio.sleep(0.01)
