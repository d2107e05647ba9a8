"""Sending one `private` outbox message: the person's response URL while it is good, else a DM.

A response URL reaches the person in any conversation, even one the app cannot see, but only
"five times within 30 minutes" ("Handling user interaction", https://api.slack.com/
interactivity/handling#message_responses). Each attempt takes a use in `response_urls` first,
so retries and other processes never spend a sixth. Slack refusing the URL (it answers a late
or sixth use with 404 `Expired url`) sends the DM at once; a 429, a 5xx or a lost answer is
retried by the outbox like any failed send, each retry through the URL again while it has uses
left, then by DM. A response URL post returns no `ts`, so nothing can edit such a reply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import response_urls


class ResponseUrlUnavailable(Exception):
    """Slack answered the response URL with 429 or 5xx: try again later (another use)."""


async def send_dm(slack: AsyncWebClient, user_id: str, content: dict[str, Any]) -> str:
    """Post `content` in the app's DM with `user_id` (opened first); the message's `ts`."""
    opened = await slack.conversations_open(users=user_id)
    response = await slack.chat_postMessage(channel=opened["channel"]["id"], **content)
    return str(response["ts"])


async def send_private(
    sessions: async_sessionmaker[AsyncSession],
    slack: AsyncWebClient,
    *,
    user_id: str,
    payload: dict[str, Any],
    content: dict[str, Any],
    clock: Callable[[], datetime],
) -> str | None:
    """Show `content` to `user_id` alone; the DM's `ts`, or None when the response URL took it.

    Raises `ResponseUrlUnavailable` (retry later) and whatever Slack or the network raised.
    """
    url = payload.get("response_url")
    if isinstance(url, str) and url:
        async with sessions.begin() as session:
            usable = await response_urls.take_use(session, url, now=clock())
        if usable:
            status = await _respond(slack, url, content)
            if 200 <= status < 300:
                return None
            if status == 429 or status >= 500:
                raise ResponseUrlUnavailable(f"response URL answered HTTP {status}")
            # 404 `Expired url` (late, or used up by someone else's count), or a refusal the
            # URL will always give: never again, and the person gets a DM now.
            async with sessions.begin() as session:
                await response_urls.give_up(session, url)
    return await send_dm(slack, user_id, content)


async def _respond(slack: AsyncWebClient, url: str, content: dict[str, Any]) -> int:
    # No retry handlers: a retried POST after a lost answer would show the reply twice; the
    # outbox retries instead, under its lease, each time with a counted use.
    webhook = AsyncWebhookClient(url, timeout=10, session=slack.session, retry_handlers=[])
    body = {**content, "response_type": "ephemeral", "replace_original": False}
    response = await webhook.send_dict(body)
    return int(response.status_code)
