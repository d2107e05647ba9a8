"""Response URLs: `POST /_fake/respond/{key}` records what Bolt's respond() sends.

The sender may add `?channel=…&user=…&message_ts=…` to the URL so the fake can apply the
response to its channel view as Slack would (replace/delete the original, post in channel,
or show an ephemeral message to the user).
"""

from __future__ import annotations

import copy
import json
import time

from aiohttp import web

from .api import STATE_KEY
from .state import JSON, FakeState
from .validation import message_content_error

FIELDS = ("text", "blocks", "response_type", "replace_original", "delete_original", "thread_ts")


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _apply(state: FakeState, body: JSON, channel: str, user: str, message_ts: str) -> None:
    if not channel:
        return
    messages = state.messages.setdefault(channel, [])
    original = next((m for m in messages if message_ts and m["ts"] == message_ts), None)
    if _truthy(body.get("delete_original")):
        if original is not None:
            messages.remove(original)
        return
    if _truthy(body.get("replace_original")) and original is not None:
        original["text"] = body.get("text") or ""
        original["blocks"] = copy.deepcopy(body.get("blocks") or [])
        return
    message: JSON = {
        "type": "message",
        "ts": state.next_ts(),
        "user": state.identity.bot_user_id,
        "bot_id": state.identity.bot_id,
        "text": body.get("text") or "",
        "blocks": copy.deepcopy(body.get("blocks") or []),
        "channel": channel,
    }
    if body.get("response_type") != "in_channel":
        message["ephemeral_for"] = user or None
    messages.append(message)


async def handle_respond(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    key = request.match_info["key"]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    entry: JSON = {"key": key, "ts": time.time(), "ok": False, "error": None}
    if not isinstance(body, dict):
        entry["error"] = "invalid_payload"
        state.responses.setdefault(key, []).append(entry)
        return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
    entry.update({k: copy.deepcopy(body[k]) for k in FIELDS if k in body})
    entry["body"] = copy.deepcopy(body)
    problem = None
    if not _truthy(body.get("delete_original")):
        problem = message_content_error(body)
    if problem is not None:
        entry["error"], entry["errors"] = problem
        state.responses.setdefault(key, []).append(entry)
        return web.json_response(
            {"ok": False, "error": problem[0], "errors": problem[1]}, status=400
        )
    entry["ok"] = True
    state.responses.setdefault(key, []).append(entry)
    query = request.query
    _apply(
        state, body, query.get("channel", ""), query.get("user", ""), query.get("message_ts", "")
    )
    return web.json_response({"ok": True})


async def list_responses(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    key = request.query.get("key")
    if key:
        return web.json_response(state.responses.get(key, []))
    every = [entry for entries in state.responses.values() for entry in entries]
    return web.json_response(sorted(every, key=lambda e: e["ts"]))
