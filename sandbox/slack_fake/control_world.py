"""Control routes that shape the fake's world: clock, conversations, interactions, deliveries.

- `POST /_fake/clock {"advance": seconds}` moves the fake's clock forward (triggers and
  response URLs age with it); answers the fake's time now.
- `POST /_fake/conversations {id, kind, members, bot_member, archived, name}` declares a
  conversation that then behaves strictly; `GET /_fake/conversations` lists the declared ones.
- `POST /_fake/interactions {user_id, view_id?, response_url?}` issues the trigger id (and the
  response URL key) for one interaction: what Slack hands an app with each payload.
- `POST /_fake/deliveries` records what the signed sender saw go wrong (a late answer, a
  retried event); `GET /_fake/deliveries` lists it.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from . import conversations, slackbot, triggers
from .api import STATE_KEY
from .responses import issue_hook


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body


async def clock(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await _json_object(request)
    try:
        state.clock.advance(float(body.get("advance", 0)))
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="advance must be a number of seconds >= 0") from None
    return web.json_response({"now": state.now(), "offset": state.clock.offset})


async def post_conversation(request: web.Request) -> web.Response:
    try:
        conv = conversations.declare(request.app[STATE_KEY], await _json_object(request))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return web.json_response({"ok": True, "conversation": conv.describe()})


async def list_conversations(request: web.Request) -> web.Response:
    declared = request.app[STATE_KEY].conversations.values()
    return web.json_response([conv.describe() for conv in declared])


async def issue_interaction(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await _json_object(request)
    user_id = str(body.get("user_id") or "")
    if not user_id:
        raise web.HTTPBadRequest(text="need user_id: whose interaction is it?")
    view_id = str(body["view_id"]) if body.get("view_id") else None
    issued: dict[str, str] = {"trigger_id": triggers.issue(state, user_id, view_id=view_id)}
    if body.get("response_url"):
        key = secrets.token_hex(16)
        issue_hook(state, key)
        issued["response_key"] = key
    return web.json_response(issued)


async def post_delivery(request: web.Request) -> web.Response:
    """Record one delivery problem; a command nobody answered in time gets Slackbot's note."""
    state = request.app[STATE_KEY]
    entry = await _json_object(request)
    entry["ts"] = state.now()
    state.deliveries.append(entry)
    if entry.get("kind") == "command" and entry.get("channel") and entry.get("user"):
        slackbot.command_failed(
            state,
            str(entry["channel"]),
            str(entry["user"]),
            str(entry.get("name", "")),
            str(entry.get("error", "")),
        )
    return web.json_response({"ok": True})


async def list_deliveries(request: web.Request) -> web.Response:
    kind = request.query.get("kind")
    found = [d for d in request.app[STATE_KEY].deliveries if kind is None or d.get("kind") == kind]
    return web.json_response(found)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/clock", clock)
    app.router.add_post("/_fake/conversations", post_conversation)
    app.router.add_get("/_fake/conversations", list_conversations)
    app.router.add_post("/_fake/interactions", issue_interaction)
    app.router.add_post("/_fake/deliveries", post_delivery)
    app.router.add_get("/_fake/deliveries", list_deliveries)
