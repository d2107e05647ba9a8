"""chat.postMessage, chat.postEphemeral and chat.update: where they may post, then what."""

from __future__ import annotations

from typing import Any

from . import conversations
from .params import as_str
from .state import JSON, Conversation, FakeState, with_block_ids
from .users import USER_ID
from .validation import message_content_error


def error(code: str, **extra: Any) -> JSON:
    return {"ok": False, "error": code, **extra}


def content_error(params: JSON) -> JSON | None:
    problem = message_content_error(params)
    if problem is None:
        return None
    code, errors = problem
    if not errors:
        return error(code)
    return error(
        code, errors=errors, response_metadata={"messages": [f"[ERROR] {e}" for e in errors]}
    )


def _message(state: FakeState, params: JSON, ts: str) -> JSON:
    ident = state.identity
    message: JSON = {
        "type": "message",
        "subtype": "bot_message",
        "ts": ts,
        "user": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "app_id": ident.app_id,
        "team": ident.team_id,
        "text": as_str(params.get("text")),
    }
    if isinstance(params.get("blocks"), list):
        message["blocks"] = with_block_ids(params["blocks"])
    if params.get("thread_ts"):
        message["thread_ts"] = as_str(params["thread_ts"])
    if params.get("metadata"):
        message["metadata"] = params["metadata"]
    return message


def _target(state: FakeState, channel: str) -> Conversation | None:
    # A user id as `channel` posts in the app's DM with that person, opened on the spot:
    # "start a DM with a user by calling the chat.postMessage method and passing the user's ID
    # as the channel parameter ... no need for a separate call to conversations.open"
    # (https://api.slack.com/scopes/conversations.app_home:create). The answer's `channel` is
    # the DM's own D… id.
    if USER_ID.match(channel):
        return conversations.app_dm(state, channel)
    return conversations.find(state, channel)


async def post_message(state: FakeState, params: JSON) -> JSON:
    conv = _target(state, as_str(params.get("channel")))
    refused = conversations.post_error(state, conv)
    if refused:
        return error(refused)
    assert conv is not None
    channel = conv.id
    problem = content_error(params)
    if problem:
        return problem
    thread_ts = as_str(params.get("thread_ts"))
    if thread_ts and state.find_message(channel, thread_ts) is None:
        return error("thread_not_found")
    message = _message(state, params, state.next_ts())
    state.messages.setdefault(channel, []).append({**message, "channel": channel})
    return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}


async def post_ephemeral(state: FakeState, params: JSON) -> JSON:
    channel = as_str(params.get("channel"))
    user = as_str(params.get("user"))
    refused = conversations.ephemeral_error(state, conversations.find(state, channel), user)
    if refused:
        return error(refused)
    problem = content_error(params)
    if problem:
        return problem
    message = _message(state, params, state.next_ts())
    state.messages.setdefault(channel, []).append(
        {**message, "channel": channel, "ephemeral_for": user}
    )
    return {"ok": True, "message_ts": message["ts"]}


async def update(state: FakeState, params: JSON) -> JSON:
    channel = as_str(params.get("channel"))
    ts = as_str(params.get("ts"))
    refused = conversations.update_error(conversations.find(state, channel))
    if refused:
        return error(refused)
    if not ts:
        return error("invalid_arguments")
    stored = state.find_message(channel, ts)
    if stored is None:
        return error("message_not_found")
    if stored.get("user") != state.identity.bot_user_id:
        return error("cant_update_message")
    if not params.get("text") and params.get("blocks") is None and not params.get("attachments"):
        return error("no_text")
    if params.get("blocks") is not None or params.get("text"):
        problem = content_error({**params, "text": params.get("text") or stored["text"]})
        if problem:
            return problem
    if "text" in params:
        stored["text"] = as_str(params["text"])
    if isinstance(params.get("blocks"), list):
        stored["blocks"] = with_block_ids(params["blocks"])
    stored["edited"] = {"user": state.identity.bot_user_id, "ts": state.next_ts()}
    public = {k: v for k, v in stored.items() if k not in ("channel", "edited")}
    return {"ok": True, "channel": channel, "ts": ts, "text": stored["text"], "message": public}
