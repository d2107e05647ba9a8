"""Control routes under `/_fake/`: faults, outage, reset, and inspection of the fake's state."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from .api import STATE_KEY
from .conversations import CHANNEL_ID
from .faults import KINDS as FAULT_KINDS
from .state import Fault
from .users import configure_user, user_object


async def _json_body(request: web.Request) -> dict[str, Any]:
    body = await request.json() if request.can_read_body else {}
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body


async def add_fault(request: web.Request) -> web.Response:
    body = await _json_body(request)
    kind = str(body.get("kind", "429"))
    if kind not in FAULT_KINDS or not body.get("method"):
        kinds = ", ".join(FAULT_KINDS)
        raise web.HTTPBadRequest(
            text=f"need method (a Web API method, response_url or *) and kind in {kinds}"
        )
    fault = Fault(
        method=str(body["method"]),
        kind=kind,
        count=int(body.get("count", 1)),
        retry_after=int(body.get("retry_after", 1)),
        seconds=float(body.get("seconds", 30.0)),
    )
    request.app[STATE_KEY].faults.append(fault)
    return web.json_response({"ok": True, "fault": asdict(fault)})


async def set_outage(request: web.Request) -> web.Response:
    body = await _json_body(request)
    state = request.app[STATE_KEY]
    if "seconds" in body:
        state.outage_until = state.now() + float(body["seconds"])
    else:
        state.outage_until = float("inf") if body.get("on", True) else 0.0
    return web.json_response({"ok": True, "outage": state.in_outage()})


async def reset(request: web.Request) -> web.Response:
    request.app[STATE_KEY].reset()
    return web.json_response({"ok": True})


async def list_calls(request: web.Request) -> web.Response:
    calls = request.app[STATE_KEY].calls
    method = request.query.get("method")
    return web.json_response([c for c in calls if method is None or c["method"] == method])


async def list_messages(request: web.Request) -> web.Response:
    messages = request.app[STATE_KEY].messages
    channel = request.query.get("channel")
    if channel is None:
        return web.json_response(messages)
    return web.json_response(messages.get(channel, []))


async def get_view(request: web.Request) -> web.Response:
    view = request.app[STATE_KEY].views.get(request.match_info["view_id"])
    if view is None:
        raise web.HTTPNotFound(text="no such view")
    return web.json_response(view)


async def get_home(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    view = state.views.get(state.home_views.get(request.match_info["user_id"], ""))
    if view is None:
        raise web.HTTPNotFound(text="no home view published for this user")
    return web.json_response(view)


async def post_user(request: web.Request) -> web.Response:
    try:
        user = configure_user(request.app[STATE_KEY], await _json_body(request))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    return web.json_response({"ok": True, "user": user})


async def get_user(request: web.Request) -> web.Response:
    user = user_object(request.app[STATE_KEY], request.match_info["user_id"])
    if user is None:
        raise web.HTTPNotFound(text="user_not_found")
    return web.json_response(user)


async def post_channel(request: web.Request) -> web.Response:
    body = await _json_body(request)
    channel = str(body.get("id", ""))
    if not CHANNEL_ID.match(channel):
        raise web.HTTPBadRequest(text=f"not a channel id: {channel!r}")
    missing = request.app[STATE_KEY].missing_channels
    if body.get("missing", True):
        missing.add(channel)
    else:
        missing.discard(channel)
    return web.json_response({"ok": True, "id": channel, "missing": channel in missing})


async def get_identity(request: web.Request) -> web.Response:
    ident = request.app[STATE_KEY].identity
    fields = asdict(ident)
    fields.pop("token")
    return web.json_response({**fields, "url": ident.url})
