"""Builds the Bolt AsyncApp: workspace guard, then each listener package's `register(app)`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import commands, interactions
from bot.notifications.failures import is_network_error, is_slack_weather
from bot.services import Services
from bot.views.message import notice_view

log = logging.getLogger(__name__)


def build_bolt_app(services: Services) -> AsyncApp:
    """One AsyncApp verifying Slack signatures with `SLACK_SIGNING_SECRET`."""
    settings = services.settings
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret,
        client=services.slack,
        # Bolt's default, spelled out: a request no listener matches (an event connectbot does
        # not subscribe to, a stale button) is answered 404 with a warning in the log. True
        # would send it to `_on_error` below, which would tell the person about an internal
        # error. A listener that raises reaches `_on_error` either way.
        raise_error_for_unhandled_request=False,
    )

    if settings.slack_team_id:
        app.middleware(_only_team(settings.slack_team_id))

    @app.error
    async def _on_error(
        error: Exception,
        context: AsyncBoltContext,
        body: dict[str, Any],
        response: BoltResponse | None,
    ) -> None:
        # The person still gets an answer; the details stay in the log, never in Slack. Not
        # through the outbox: the database may be what failed. A network failure (Slack or
        # Stripe unreachable, e.g. Bolt's first `auth.test` during a Slack outage; Slack
        # answering 5xx or 429) is expected weather, logged in one line; anything else is a bug
        # and keeps its traceback.
        if is_slack_weather(error):
            cause = "network" if is_network_error(error) else "Slack unavailable"
            log.warning("listener failed: %s: %r", cause, error)
        else:
            log.exception("listener failed", exc_info=error)
        if _answer_in_the_modal(body, response):
            return
        await _tell_about_error(services, context)

    commands.register(app, services)
    interactions.register(app, services)
    return app


class _SignallingAck(AsyncAck):
    """Bolt's `ack`, which also says when it has been called."""

    def __init__(self) -> None:
        super().__init__()
        self.called = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        self.called.set()
        return response


# Dispatches still finishing after their answer went out: held so they are not collected.
_finishing: set[asyncio.Future[BoltResponse]] = set()


async def dispatch_until_acked(app: AsyncApp, request: AsyncBoltRequest) -> BoltResponse:
    """Bolt's answer to `request`, given as soon as the listener acks.

    Bolt's runner starts the listener and checks for its ack every 10 ms, which holds every
    answer to about 10 ms. Here the request's `ack` (which Bolt creates lazily in the context,
    so one put there first is the one listeners get) also sets an event, and the answer goes
    out when either the ack is called or Bolt's dispatch ends by itself (no listener, a
    middleware's refusal, an error before the ack, Slack's 3-second limit). The dispatch then
    finishes in the background exactly as before; it would return the same acked response:
    Bolt's global middleware leave no response of their own once they call `next()`.
    """
    ack = _SignallingAck()
    request.context["ack"] = ack
    dispatch = asyncio.ensure_future(app.async_dispatch(request))
    acked = asyncio.ensure_future(ack.called.wait())
    try:
        await asyncio.wait({dispatch, acked}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the HTTP request went away: as if awaited directly
        dispatch.cancel()
        raise
    finally:
        acked.cancel()
    if dispatch.done() or ack.response is None:
        return await dispatch
    _finishing.add(dispatch)
    dispatch.add_done_callback(_finished)
    return ack.response


def _finished(dispatch: asyncio.Future[BoltResponse]) -> None:
    _finishing.discard(dispatch)
    if not dispatch.cancelled() and dispatch.exception() is not None:
        log.error("slack dispatch failed after its ack", exc_info=dispatch.exception())


INTERNAL_ERROR = (
    "Sorry, connectbot hit an internal error and could not finish that. "
    "Nothing was charged or refunded twice; please try again in a minute."
)
ERROR_VIEW = notice_view("connectbot", INTERNAL_ERROR)


def _answer_in_the_modal(body: dict[str, Any], response: BoltResponse | None) -> bool:
    """A form submission that failed before its ack: answer it with the error in place of the
    form (`response_action: update`) instead of Bolt's 500, which Slack shows as a vague
    connection problem while the person's form stays open to be submitted again. False when
    there is nothing to answer that way (not a submission, or already acknowledged)."""
    if body.get("type") != "view_submission" or response is None:
        return False
    response.status = 200
    response.body = json.dumps({"response_action": "update", "view": ERROR_VIEW})
    response.headers["content-type"] = ["application/json;charset=utf-8"]
    return True


async def _tell_about_error(services: Services, context: AsyncBoltContext) -> None:
    """Through the request's response URL, else by DM (never into the conversation)."""
    try:
        # Events carry no response URL; Bolt's `respond` then raises instead of being None.
        if context.respond is not None and context.response_url:
            sent = await context.respond(text=INTERNAL_ERROR, response_type="ephemeral")
            if 200 <= sent.status_code < 300:
                return
        if context.user_id:
            opened = await services.slack.conversations_open(users=context.user_id)
            await services.slack.chat_postMessage(
                channel=opened["channel"]["id"], text=INTERNAL_ERROR
            )
    except Exception as exc:  # Slack unreachable or failing too: nobody left to tell
        if is_slack_weather(exc):
            log.warning("could not tell the user about the error: %r", exc)
        else:
            log.exception("could not tell the user about the error")


def _only_team(
    team_id: str,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def only_team(
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        teams = _teams_of(body, context) - {team_id}
        if not teams or body.get("type") == "url_verification":
            await next()
            return None
        log.warning("refused a request from workspace %s", ", ".join(sorted(teams)))
        return BoltResponse(status=200, body="This connectbot serves another Slack workspace.")

    return only_team


def _teams_of(body: dict[str, Any], context: AsyncBoltContext) -> set[str]:
    """Every workspace a request names: the app's (Bolt's `team_id`, which for a modal is the
    workspace the modal was opened in) and the acting user's. Both must be ours: a modal
    opened here but submitted by a user of another workspace is refused too."""
    found = {context.team_id, context.actor_team_id}
    team = body.get("team")
    if isinstance(team, dict):
        found.add(team.get("id"))
    user = body.get("user")
    if isinstance(user, dict):
        found.add(user.get("team_id"))
    return {str(t) for t in found if t}
