"""What Slack's client shows after the app answers: ack text, errors, `response_action`s."""

from __future__ import annotations

import json
from typing import Any

from .. import triggers
from ..reply import SlackReply
from ..slackbot import command_failed
from ..state import JSON, FakeState, with_block_ids
from ..view_methods import views_push, views_update
from .workspace import ConsoleState

__all__ = ["apply_response_action", "command_failed", "post_as_person", "show_ack"]


def _append(fake: FakeState, channel: str, message: JSON) -> None:
    message = {"type": "message", "ts": fake.next_ts(), "channel": channel, **message}
    fake.messages.setdefault(channel, []).append(message)


def post_as_person(fake: FakeState, channel: str, user: str, text: str) -> None:
    """A plain message typed by a person (the app is not told: it subscribes to no messages)."""
    if text.strip():
        # Slack stores what people type with &, < and > escaped, so it is never markup.
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        _append(fake, channel, {"user": user, "text": escaped})


def _from_app(fake: FakeState, user: str, text: str, blocks: Any = None) -> JSON:
    ident = fake.identity
    message: JSON = {"user": ident.bot_user_id, "bot_id": ident.bot_id, "text": text}
    if isinstance(blocks, list):
        message["blocks"] = with_block_ids(blocks)
    message["ephemeral_for"] = user
    return message


def show_ack(fake: FakeState, channel: str, user: str, body: str) -> None:
    """The text or message a command's ack carried, shown as Slack shows it."""
    if not body.strip():
        return
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        parsed = body
    if not isinstance(parsed, dict):
        _append(fake, channel, _from_app(fake, user, str(parsed)))
        return
    message = _from_app(fake, user, str(parsed.get("text") or ""), parsed.get("blocks"))
    if parsed.get("response_type") == "in_channel":
        message.pop("ephemeral_for")
    _append(fake, channel, message)


async def apply_response_action(
    fake: FakeState, console: ConsoleState, user: str, view: JSON, reply: SlackReply
) -> JSON:
    """Close, update, push or clear the modal, or return the field errors to show."""
    answer = reply.json if isinstance(reply.json, dict) else {}
    kind = answer.get("response_action")
    if kind == "errors":
        errors = answer.get("errors") if isinstance(answer.get("errors"), dict) else {}
        return {"ok": True, "errors": errors}
    if kind == "update" and isinstance(answer.get("view"), dict):
        result = await views_update(fake, {"view_id": view["id"], "view": answer["view"]})
        return {"ok": bool(result.get("ok")), "error": result.get("error")}
    if kind == "push" and isinstance(answer.get("view"), dict):
        # Slack pushes the answered view onto the submitted modal's stack itself; the fake
        # goes through views.push with a trigger of its own, so the same limits apply.
        trigger = triggers.issue(fake, user, view_id=view["id"])
        console.trigger_owners[trigger] = user
        result = await views_push(fake, {"trigger_id": trigger, "view": answer["view"]})
        return {"ok": bool(result.get("ok")), "error": result.get("error")}
    console.close_modal(user, clear=kind == "clear")
    return {"ok": True, "closed": True}
