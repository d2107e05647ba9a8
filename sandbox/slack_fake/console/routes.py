"""The console's routes: the page, its state (polled), and what a person does in it.

Each action is sent to the Slack app exactly as Slack would send it, signed, through
`SlackSender`; the console only knows the app's events URL and signing secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from ..api import STATE_KEY
from ..client import SlackSender
from ..interactions import Workspace
from ..payloads import state_values
from ..reply import SlackReply
from ..state import JSON
from . import replies, workspace
from .escape import escape_command_text, split_command
from .workspace import ConsoleState, seed_conversations, snapshot

STATIC = Path(__file__).parent / "static"
CONSOLE_KEY: web.AppKey[ConsoleState] = web.AppKey("slack_console", ConsoleState)
TARGET_KEY: web.AppKey[dict[str, str]] = web.AppKey("slack_console_target", dict)
HTTP_KEY: web.AppKey[aiohttp.ClientSession] = web.AppKey(
    "slack_console_http", aiohttp.ClientSession
)
CSP = "default-src 'self'; img-src * data:; style-src 'self'; script-src 'self'"
FILES = {"console.css": "text/css", "console.js": "text/javascript"}


def add_console_routes(
    app: web.Application, *, app_url: str | None, signing_secret: str | None
) -> None:
    """Serve the console at `/console`; it sends to `{app_url}/slack/events` signed with the secret.

    Without `app_url` the page still shows the fake's state but refuses to send anything.
    """
    app[CONSOLE_KEY] = ConsoleState()
    app[TARGET_KEY] = {"events_url": f"{app_url.rstrip('/')}/slack/events" if app_url else ""}
    app[TARGET_KEY]["secret"] = signing_secret or ""
    app.cleanup_ctx.append(_http_session)
    app.on_startup.append(_seed)
    app.router.add_get("/console", page)
    app.router.add_get("/console/{name}", static_file)
    app.router.add_get("/console/api/state", state)
    app.router.add_post("/console/api/message", message)
    app.router.add_post("/console/api/action", action)
    app.router.add_post("/console/api/submit", submit)
    app.router.add_post("/console/api/close", close)
    app.router.add_post("/console/api/home", home_opened)


async def _http_session(app: web.Application) -> Any:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        app[HTTP_KEY] = session
        yield


async def _seed(app: web.Application) -> None:
    # People are added before the app starts serving (`add_person`); seed around them then.
    seed_conversations(app[CONSOLE_KEY], app[STATE_KEY])


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": CSP})


async def static_file(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    if name not in FILES:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC / name, headers={"Content-Type": FILES[name]})


async def state(request: web.Request) -> web.Response:
    app = request.app
    return web.json_response(
        snapshot(app[CONSOLE_KEY], app[STATE_KEY], request.query.get("user", ""))
    )


def _sender(request: web.Request) -> SlackSender:
    target = request.app[TARGET_KEY]
    if not target["events_url"]:
        raise web.HTTPConflict(text="this console was started without a Slack app to talk to")
    ident = request.app[STATE_KEY].identity
    workspace = Workspace(
        team_id=ident.team_id,
        team_domain=ident.team_domain,
        api_app_id=ident.app_id,
        bot_user_id=ident.bot_user_id,
    )
    return SlackSender(
        target["events_url"],
        target["secret"],
        fake_url=str(request.url.origin()),
        workspace=workspace,
        session=request.app[HTTP_KEY],
    )


async def _body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not str(body.get("user", "")):
        raise web.HTTPBadRequest(text="expected a JSON object with `user`")
    return body


def _owned(request: web.Request, reply: SlackReply, user: str) -> None:
    if reply.trigger_id:
        request.app[CONSOLE_KEY].trigger_owners[reply.trigger_id] = user


def _outcome(reply: SlackReply) -> web.Response:
    if reply.error:
        return web.json_response({"ok": False, "error": reply.error})
    if reply.status != 200:
        return web.json_response({"ok": False, "error": f"the app answered HTTP {reply.status}"})
    return web.json_response({"ok": True})


def _unreachable(exc: Exception) -> web.Response:
    return web.json_response({"ok": False, "error": f"the app is not answering ({exc})"})


def _user_name(request: web.Request, user: str) -> str | None:
    found = [p for p in request.app[CONSOLE_KEY].people if p.id == user]
    return found[0].name if found else None


async def message(request: web.Request) -> web.Response:
    """A line typed in the message box: a slash command (sent to the app) or a plain message."""
    body = await _body(request)
    user, channel, text = str(body["user"]), str(body.get("channel", "")), str(body.get("text", ""))
    console, fake = request.app[CONSOLE_KEY], request.app[STATE_KEY]
    command = split_command(text)
    if command is None:
        replies.post_as_person(fake, channel, user, text)
        return web.json_response({"ok": True})
    name, rest = command
    escaped = escape_command_text(
        rest, people=console.name_index(), channels=console.channel_index()
    )
    channel_name = workspace.command_channel_name(console, fake, channel)
    try:
        reply = await _sender(request).command(
            name,
            escaped,
            user_id=user,
            user_name=_user_name(request, user),
            channel_id=channel,
            channel_name=channel_name,
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        replies.command_failed(fake, channel, user, name, "dispatch_failed")
        return _unreachable(exc)
    _owned(request, reply, user)
    # A late answer's Slackbot note is already there: the sender told the fake (`deliveries`).
    if reply.status != 200 and not reply.error:
        replies.command_failed(fake, channel, user, name, f"http_{reply.status}")
    else:
        replies.show_ack(fake, channel, user, reply.body)
    return _outcome(reply)


def _view_with_state(view: JSON, values: Any) -> JSON:
    inputs = values if isinstance(values, dict) else {}
    return {**view, "state": {"values": state_values(view, inputs)}}


async def action(request: web.Request) -> web.Response:
    """A button click or a selection, in a message or in a view (modal or App Home)."""
    body = await _body(request)
    user, fake = str(body["user"]), request.app[STATE_KEY]
    common: JSON = {
        "user_id": user,
        "user_name": _user_name(request, user),
        "value": body.get("value"),
        "block_id": body.get("block_id") or None,
    }
    if body.get("view_id"):
        view = fake.views.get(str(body["view_id"]))
        if view is None:
            raise web.HTTPNotFound(text="no such view")
        common["view"] = _view_with_state(view, body.get("values"))
    else:
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        found = workspace.visible_message(fake, channel, ts, user)
        if found is None:
            raise web.HTTPNotFound(text="no such message")
        common.update(message=found, channel_id=channel)
    try:
        reply = await _sender(request).block_action(str(body.get("action_id", "")), **common)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return _unreachable(exc)
    _owned(request, reply, user)
    return _outcome(reply)


async def submit(request: web.Request) -> web.Response:
    """Submit the person's open modal; apply the app's `response_action` as Slack does."""
    body = await _body(request)
    user, fake, console = str(body["user"]), request.app[STATE_KEY], request.app[CONSOLE_KEY]
    view = fake.views.get(str(body.get("view_id", "")))
    if view is None:
        raise web.HTTPNotFound(text="no such view")
    values = body.get("values") if isinstance(body.get("values"), dict) else {}
    try:
        reply = await _sender(request).view_submission(view, values or {}, user_id=user)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return _unreachable(exc)
    if reply.error or reply.status != 200:
        # Slack's own words in a modal whose app did not answer (in time).
        return web.json_response(
            {"ok": False, "error": "We had some trouble connecting. Try again?"}
        )
    return web.json_response(await replies.apply_response_action(fake, console, user, view, reply))


async def close(request: web.Request) -> web.Response:
    body = await _body(request)
    user, fake, console = str(body["user"]), request.app[STATE_KEY], request.app[CONSOLE_KEY]
    view = fake.views.get(str(body.get("view_id", "")))
    console.close_modal(user)
    if view is not None and view.get("notify_on_close"):
        try:
            await _sender(request).view_closed(view, user_id=user)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return _unreachable(exc)
    return web.json_response({"ok": True})


async def home_opened(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        reply = await _sender(request).app_home_opened(str(body["user"]))
    except (aiohttp.ClientError, TimeoutError) as exc:
        return _unreachable(exc)
    # Slack shows nobody an event the app failed to handle: the tab just stays as it was.
    return web.json_response({"ok": True, "status": reply.status})
