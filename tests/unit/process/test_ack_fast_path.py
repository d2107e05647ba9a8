"""`dispatch_until_acked`: Slack gets the ack's answer as soon as `ack` is called, and every
other outcome of Bolt's dispatch is unchanged."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import app as bot_app
from bot.app import dispatch_until_acked


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="UB")


def _app() -> AsyncApp:
    return AsyncApp(
        signing_secret="secret",
        authorize=_authorize,
        request_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )


def _command(name: str) -> AsyncBoltRequest:
    body = f"command={name}&text=hi&team_id=T1&user_id=U1&channel_id=C1&response_url=&trigger_id=t"
    form = {"content-type": ["application/x-www-form-urlencoded"]}
    return AsyncBoltRequest(body=body, headers=form)


async def test_the_ack_is_answered_while_the_listener_still_runs() -> None:
    app = _app()
    release = asyncio.Event()
    finished = asyncio.Event()

    @app.command("/slow")
    async def slow(ack: Any) -> None:
        await ack("on it")
        await release.wait()  # Bolt's own dispatch would still answer; ours must not wait
        finished.set()

    response = await asyncio.wait_for(dispatch_until_acked(app, _command("/slow")), 2)
    assert (response.status, response.body) == (200, "on it")
    assert not finished.is_set()
    assert bot_app._finishing  # answered before Bolt's runner saw the ack (it polls every 10 ms)
    release.set()
    await asyncio.wait_for(finished.wait(), 2)
    while bot_app._finishing:  # the dispatch finishes in the background, then is let go
        await asyncio.sleep(0.01)


async def test_no_listener_and_an_error_before_the_ack_are_answered_as_by_bolt() -> None:
    app = _app()

    @app.command("/broken")
    async def broken(ack: Any) -> None:
        raise RuntimeError("before the ack")

    unhandled = await dispatch_until_acked(app, _command("/nobody"))
    failed = await dispatch_until_acked(app, _command("/broken"))
    assert isinstance(unhandled, BoltResponse) and unhandled.status == 404
    assert failed.status == 500
