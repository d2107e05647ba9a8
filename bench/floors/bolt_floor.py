"""A bare slack-bolt AsyncApp on aiohttp whose `/charge` handler only acknowledges.

Same signing secret and bot token as connectbot, so the bench sends both the same signed
requests; its client talks to the same fake Slack (Bolt's first request calls `auth.test`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.floors import serving
from tests.harness import BOT_TOKEN, SIGNING_SECRET

EVENTS_PATH = "/slack/events"


def bolt_floor_app(slack_api_url: str) -> AsyncApp:
    """Bolt with nothing but signature checking, authorization and an ack."""
    app = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=slack_api_url),
        raise_error_for_unhandled_request=False,
    )

    @app.command("/charge")
    async def _charge(ack: Any) -> None:
        await ack()

    return app


@asynccontextmanager
async def running_bolt_floor(slack_api_url: str) -> AsyncIterator[str]:
    """The floor's events URL (…/slack/events) for the block."""
    app = bolt_floor_app(slack_api_url)
    async with serving(app.web_app(path=EVENTS_PATH)) as url:
        yield url + EVENTS_PATH
