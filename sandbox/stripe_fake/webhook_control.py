"""Control routes for webhook delivery and endpoints (not Stripe's; for tests and the sandbox).

``GET /_fake/webhooks``: the rules, the endpoints (with the private ``connect`` flag) and every
delivery. ``POST /_fake/webhooks`` with any of:

* ``reorder`` (bool) and ``seed`` (int): shuffle deliveries that are due together;
* ``duplicate_rate`` (0…1): the chance that a delivered event is delivered once more;
* ``hold``: ``"all"``, a list of event types, or null: deliveries of events recorded from now
  on are held back instead of sent;
* ``release``: ``true`` or a list of event types: held deliveries (of those types) are sent.

``POST /_fake/webhook_endpoints/{id}`` changes an endpoint: ``status`` (enabled/disabled),
``enabled_events``, ``api_version`` (null: the account's default) or ``url``.
"""

from __future__ import annotations

import random
from typing import Any

from aiohttp import web

from .api import json_response
from .delivery import summarize
from .store import STATE_KEY, State
from .versions import check_renderable
from .webhook_state import DeliveryRules


class _Refused(Exception):
    pass


def _describe(state: State) -> dict[str, Any]:
    types = {e["id"]: e["type"] for e in state.events}
    return {
        "rules": state.webhooks.rules.describe(),
        "endpoints": [{**e.render(), "connect": e.connect} for e in state.webhooks.endpoints],
        "deliveries": [
            {
                "event": d.event_id,
                "type": types.get(d.event_id),
                "endpoint": d.endpoint_id,
                "status": d.status,
                "attempts": d.attempts,
                "duplicate": d.duplicate,
                "last_attempt": d.last_attempt,
                "next_attempt": d.due if d.status == "pending" else None,
            }
            for d in state.webhooks.deliveries
        ],
    }


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        raise _Refused("the body must be JSON") from None
    if not isinstance(body, dict):
        raise _Refused("the body must be a JSON object")
    return body


def _types(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise _Refused(f"{name} must be a list of event types")
    return list(value)


def _new_rules(rules: DeliveryRules, body: dict[str, Any]) -> DeliveryRules:
    """The rules after ``body``, checked whole before anything changes."""
    new = DeliveryRules(**{**rules.__dict__, "hold_types": set(rules.hold_types)})
    if "reorder" in body:
        if not isinstance(body["reorder"], bool):
            raise _Refused("reorder must be true or false")
        new.reorder = body["reorder"]
    if "seed" in body:
        if not isinstance(body["seed"], int) or isinstance(body["seed"], bool):
            raise _Refused("seed must be an integer")
        new.seed, new.rng = body["seed"], random.Random(body["seed"])
    if "duplicate_rate" in body:
        rate = body["duplicate_rate"]
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise _Refused("duplicate_rate must be a number from 0 to 1")
        new.duplicate_rate = float(rate)
    if "hold" in body:
        hold = body["hold"]
        new.hold_all = hold == "all"
        new.hold_types = set() if hold in ("all", None, False) else set(_types(hold, "hold"))
    return new


async def webhooks_status(request: web.Request) -> web.Response:
    return json_response(_describe(request.app[STATE_KEY]))


async def set_webhooks(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        body = await _body(request)
        rules = _new_rules(state.webhooks.rules, body)
        release = body.get("release")
        if release not in (None, True, False):
            _types(release, "release")
    except _Refused as exc:
        return json_response({"error": str(exc)}, 400)
    state.webhooks.rules = rules
    if release:
        for delivery in state.webhooks.deliveries:
            event = state.objects.get(delivery.event_id)
            if delivery.status != "held" or event is None:
                continue
            if release is True or event["type"] in release:
                delivery.status, delivery.due = "pending", state.clock.time()
                summarize(state, event)
    state.wake.set()
    return json_response(_describe(state))


def _change(body: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's fields after ``body``; refuses (``_Refused``) anything unknown or invalid."""
    unknown = set(body) - {"status", "enabled_events", "api_version", "url"}
    if unknown:
        raise _Refused(f"cannot change {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    if "status" in body:
        if body["status"] not in ("enabled", "disabled"):
            raise _Refused("status must be enabled or disabled")
        changes["status"] = body["status"]
    if "enabled_events" in body:
        changes["enabled_events"] = _types(body["enabled_events"], "enabled_events")
    if "api_version" in body:
        version = body["api_version"]
        if version is not None:
            try:
                check_renderable(str(version))
            except ValueError as exc:
                raise _Refused(str(exc)) from None
        changes["api_version"] = version
    if "url" in body:
        if not isinstance(body["url"], str) or not body["url"].startswith(("http://", "https://")):
            raise _Refused("url must be an http(s) URL")
        changes["url"] = body["url"]
    return changes


async def update_endpoint(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    endpoint = state.webhooks.endpoint(request.match_info["id"])
    if endpoint is None:
        return json_response({"error": "no such webhook endpoint"}, 404)
    try:
        changes = _change(await _body(request))
    except _Refused as exc:
        return json_response({"error": str(exc)}, 400)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    state.wake.set()  # re-enabled: its waiting deliveries go
    return json_response({**endpoint.render(), "connect": endpoint.connect})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/_fake/webhooks", webhooks_status)
    app.router.add_post("/_fake/webhooks", set_webhooks)
    app.router.add_post("/_fake/webhook_endpoints/{id}", update_endpoint)
