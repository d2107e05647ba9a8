"""Response URLs: `POST /_fake/respond/{key}` records what Bolt's respond() sends.

The sender may add `?channel=…&user=…&message_ts=…` to the URL so the fake can apply the
response to its channel view as Slack would (replace/delete the original, post in channel,
or show an ephemeral message to the user).

"You can use a response_url five times within 30 minutes" ("Handling user interaction",
https://api.slack.com/interactivity/handling#message_responses). Slack does not document what
a sixth or late use answers; Sentry's Slack integration met it as a non-2xx answer whose body is
the plain text `Expired url` ("Yes the error string has a space in it",
getsentry/sentry src/sentry/integrations/slack/link_identity.py), so the fake answers 404 with
that body. Every use that reaches the hook counts, refused content included.
"""

from __future__ import annotations

import copy
import json

from aiohttp import web

from . import faults
from .api import STATE_KEY
from .state import JSON, FakeState, Hook
from .validation import message_content_error

HOOK_USES = 5
HOOK_SECONDS = 30 * 60
EXPIRED = "Expired url"
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


def issue_hook(state: FakeState, key: str) -> None:
    """Register the response URL `key` as handed out now (the sender does, per interaction)."""
    state.hooks[key] = Hook(issued_at=state.now())


def _spent(state: FakeState, key: str) -> bool:
    # A key the fake never issued (a test that builds its own URL) starts its 30 minutes at its
    # first use: the fake cannot know when Slack would have issued it.
    hook = state.hooks.setdefault(key, Hook(issued_at=state.now()))
    hook.uses += 1
    return hook.uses > HOOK_USES or state.now() - hook.issued_at > HOOK_SECONDS


def _log(state: FakeState, key: str, entry: JSON) -> None:
    state.responses.setdefault(key, []).append(entry)


async def handle_respond(request: web.Request) -> web.StreamResponse:
    """Take one use of a response URL: faults first, then its limits, then its content."""
    state = request.app[STATE_KEY]
    key = request.match_info["key"]
    entry: JSON = {"key": key, "ts": state.now(), "ok": False, "error": None}
    fault = None if state.in_outage() else state.take_fault("response_url")
    refused = faults.refusal(state, fault)
    if refused is not None:
        _log(state, key, {**entry, "error": refused.body["error"], "status": refused.status})
        return web.json_response(refused.body, status=refused.status, headers=refused.headers)
    if fault is not None and fault.kind == "timeout":
        _log(state, key, {**entry, "error": "timeout", "status": 0})
        await faults.hang(fault)
        return web.json_response({"ok": False, "error": "request_timeout"})
    if _spent(state, key):
        _log(state, key, {**entry, "error": EXPIRED, "status": 404})
        return web.Response(status=404, text=EXPIRED)
    answer = await _take(request, state, key, entry)
    if fault is not None and fault.kind == "drop":
        return faults.drop_after(request, answer)
    return answer


async def _take(request: web.Request, state: FakeState, key: str, entry: JSON) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        _log(state, key, {**entry, "error": "invalid_payload"})
        return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
    entry.update({k: copy.deepcopy(body[k]) for k in FIELDS if k in body})
    entry["body"] = copy.deepcopy(body)
    problem = None
    if not _truthy(body.get("delete_original")):
        problem = message_content_error(body)
    if problem is not None:
        entry["error"], entry["errors"] = problem
        _log(state, key, entry)
        return web.json_response(
            {"ok": False, "error": problem[0], "errors": problem[1]}, status=400
        )
    entry["ok"] = True
    _log(state, key, entry)
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
