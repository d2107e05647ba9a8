"""`create_app`: the fake Slack as an aiohttp application."""

from __future__ import annotations

from aiohttp import web

from . import control, control_files, control_world, responses
from .api import STATE_KEY, handle_api, handle_upload
from .console import add_console_routes
from .state import DEFAULT_SCOPES, FakeState, Identity


def create_app(
    *,
    token: str,
    team_id: str = "T_SANDBOX",
    team_domain: str = "sandbox",
    bot_user_id: str = "U_BOT",
    bot_id: str = "B_BOT",
    app_url: str | None = None,
    signing_secret: str | None = None,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
) -> web.Application:
    """A fresh fake Slack that accepts `token` as its one bot token.

    `scopes` are the bot scopes the app was installed with (app.yaml's by default). With
    `app_url` and `signing_secret`, its console (`/console`) sends what people do to the app's
    `/slack/events`, signed as Slack signs.
    """
    identity = Identity(
        token=token,
        team_id=team_id,
        team_domain=team_domain,
        bot_user_id=bot_user_id,
        bot_id=bot_id,
        scopes=tuple(scopes),
    )
    app = web.Application()
    app[STATE_KEY] = FakeState(identity=identity)
    app.router.add_route("*", "/api/{method}", handle_api)
    app.router.add_post("/_fake/faults", control.add_fault)
    app.router.add_post("/_fake/outage", control.set_outage)
    app.router.add_post("/_fake/reset", control.reset)
    app.router.add_get("/_fake/calls", control.list_calls)
    app.router.add_get("/_fake/messages", control.list_messages)
    app.router.add_get("/_fake/views/{view_id}", control.get_view)
    app.router.add_get("/_fake/home/{user_id}", control.get_home)
    app.router.add_post("/_fake/users", control.post_user)
    app.router.add_get("/_fake/users/{user_id}", control.get_user)
    app.router.add_post("/_fake/channels", control.post_channel)
    app.router.add_get("/_fake/identity", control.get_identity)
    control_world.add_routes(app)
    control_files.add_routes(app)
    app.router.add_post("/_fake/upload/{key}", handle_upload)
    app.router.add_post("/_fake/respond/{key}", responses.handle_respond)
    app.router.add_get("/_fake/responses", responses.list_responses)
    add_console_routes(app, app_url=app_url, signing_secret=signing_secret)
    return app
