"""The Web API methods the fake serves: auth.test, users.info, conversations.open + registry."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from . import chat_methods, conversations, file_methods, view_methods
from .chat_methods import error
from .params import as_str
from .state import JSON, FakeState
from .users import user_object

Method = Callable[[FakeState, JSON], Awaitable[JSON]]


async def auth_test(state: FakeState, params: JSON) -> JSON:
    ident = state.identity
    return {
        "ok": True,
        "url": ident.url,
        "team": ident.team,
        "user": ident.bot_name,
        "team_id": ident.team_id,
        "user_id": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "is_enterprise_install": False,
    }


async def users_info(state: FakeState, params: JSON) -> JSON:
    user = user_object(state, as_str(params.get("user")))
    if user is None:
        return error("user_not_found")
    return {"ok": True, "user": user}


async def conversations_open(state: FakeState, params: JSON) -> JSON:
    channel = as_str(params.get("channel"))
    raw_users = params.get("users")
    users = raw_users if isinstance(raw_users, list) else as_str(raw_users).split(",")
    users = [as_str(u).strip() for u in users if as_str(u).strip()]
    if channel and not users:
        # Only a DM or group DM the app is in can be resumed ("Resume a conversation by
        # supplying an im or mpim's ID", https://api.slack.com/methods/conversations.open).
        conv = conversations.find(state, channel)
        if conv is None or conv.kind not in ("dm", "mpim") or not conv.bot_member:
            return error("channel_not_found")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel}}
    if not users:
        return error("users_list_not_supplied")
    if len(users) > 8:
        return error("too_many_users")
    for user_id in users:
        user = user_object(state, user_id)
        if user is None:
            return error("user_not_found")
        if user["deleted"]:
            return error("user_disabled")
    if len(users) == 1:
        dm = conversations.app_dm(state, users[0])
        assert dm is not None
        channel_id = dm.id
        info: JSON = {"id": channel_id, "is_im": True, "user": users[0], "is_open": True}
    else:
        digest = hashlib.sha256(",".join(users).encode()).hexdigest()[:10].upper()
        channel_id = f"G{digest}"
        info = {"id": channel_id, "is_mpim": True, "is_open": True}
        conversations.declare(
            state, {"id": channel_id, "kind": "mpim", "members": users, "bot_member": True}
        )
    full = str(params.get("return_im", "")).lower() in ("1", "true")
    return {"ok": True, "channel": info if full else {"id": channel_id}}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "conversations.open": conversations_open,
    "chat.postMessage": chat_methods.post_message,
    "chat.postEphemeral": chat_methods.post_ephemeral,
    "chat.update": chat_methods.update,
    "views.open": view_methods.views_open,
    "views.push": view_methods.views_push,
    "views.update": view_methods.views_update,
    "views.publish": view_methods.views_publish,
    "files.getUploadURLExternal": file_methods.get_upload_url,
    "files.completeUploadExternal": file_methods.complete_upload,
}
