"""The one Slack Web API client, with slack_sdk's retry handlers for 429s and network errors."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


def create_slack_client(settings: Settings, *, session: aiohttp.ClientSession) -> AsyncWebClient:
    """A client on `SLACK_API_URL` that waits out `Retry-After` on 429 and retries dropped calls.

    It sends through `session`, which the caller owns and closes.
    """
    handlers: list[AsyncRetryHandler] = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ]
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=handlers,
        session=session,
    )
