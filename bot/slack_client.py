"""The one Slack Web API client, with slack_sdk's retry handler for 429s.

No connection-error retry handler: a lost answer does not mean Slack did nothing (it may have
posted the message, or exchanged the trigger), and chat.postMessage has no idempotency key, so
slack_sdk re-sending it would post a second copy. The outbox relay is the one layer that
retries a message, under its lease; its one duplicate window is documented in README.
A 429 is safe to retry here: Slack did nothing with a rate-limited call.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


def create_slack_client(settings: Settings, *, session: aiohttp.ClientSession) -> AsyncWebClient:
    """A client on `SLACK_API_URL` that waits out `Retry-After` on 429 (twice at most) and
    never re-sends a call whose answer was lost.

    It sends through `session`, which the caller owns and closes.
    """
    handlers: list[AsyncRetryHandler] = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
    ]
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=handlers,
        session=session,
    )
