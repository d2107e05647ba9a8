"""Where a message goes: the vendor's channel, else the ops channel; DMs and private replies.

A reply meant for one person (a decline, a refusal, a link) goes through `tell_privately`,
never as an ephemeral into the conversation where they acted: the bot may not be in it (a
private channel without the app, a DM between two people), and chat.postEphemeral there is
lost (`channel_not_found`). The response URL Slack handed over with the command or click
reaches the person wherever they are; once it is used up or expired, a DM does.

Each helper enqueues into the outbox in the caller's transaction. `key` names the cause
(e.g. `evt_123` or `charge:cb_ch_1:succeeded`); the suffix per destination makes the dedupe
key, so re-running the cause never queues a second copy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from storage.models import Vendor
from storage.repos import outbox, response_urls


def vendor_channel(vendor: Vendor | None, settings: Settings) -> str | None:
    """The vendor's own channel when set, else `OPS_CHANNEL_ID` (None when neither is)."""
    if vendor is not None and vendor.channel_id:
        return vendor.channel_id
    return settings.ops_channel_id


async def announce(
    session: AsyncSession,
    settings: Settings,
    *,
    vendor: Vendor | None,
    message: dict[str, Any],
    key: str,
) -> None:
    """Post to the vendor's channel (or the ops channel). Nowhere configured: nothing queued."""
    channel = vendor_channel(vendor, settings)
    if channel:
        await outbox.enqueue(
            session, kind="post", target=channel, payload=message, dedupe_key=f"{key}:channel"
        )


async def post_in(
    session: AsyncSession, channel_id: str, *, message: dict[str, Any], key: str
) -> None:
    """Post to the channel `channel_id` (one an admin named); once per `key` and channel."""
    await outbox.enqueue(
        session,
        kind="post",
        target=channel_id,
        payload=message,
        dedupe_key=f"{key}:in:{channel_id}",
    )


async def tell_everyone_concerned(
    session: AsyncSession,
    settings: Settings,
    *,
    vendor: Vendor | None,
    message: dict[str, Any],
    key: str,
    ops: bool = True,
) -> None:
    """News about a vendor's money: their channel (or ops), the ops channel too when it is
    another one and `ops` is asked for, and a DM to the vendor."""
    await announce(session, settings, vendor=vendor, message=message, key=key)
    if ops and vendor_channel(vendor, settings) != settings.ops_channel_id:
        await tell_ops(session, settings, message=message, key=key)
    if vendor is not None:
        await tell_user(session, vendor.slack_user_id, message=message, key=key)


async def tell_ops(
    session: AsyncSession, settings: Settings, *, message: dict[str, Any], key: str
) -> None:
    """Post to `OPS_CHANNEL_ID`, when configured."""
    if settings.ops_channel_id:
        await outbox.enqueue(
            session,
            kind="post",
            target=settings.ops_channel_id,
            payload=message,
            dedupe_key=f"{key}:ops",
        )


async def tell_user(
    session: AsyncSession, user_id: str, *, message: dict[str, Any], key: str
) -> None:
    """A DM to a Slack user (the relay opens the conversation)."""
    await outbox.enqueue(
        session, kind="dm", target=user_id, payload=message, dedupe_key=f"{key}:dm:{user_id}"
    )


async def tell_privately(
    session: AsyncSession,
    user_id: str,
    *,
    message: dict[str, Any],
    key: str,
    response_url: str | None = None,
) -> None:
    """To `user_id` alone: through `response_url` while it has uses and time left, else by DM.

    The relay decides when it sends (`bot/notifications/private.py`): the URL's uses are
    counted in `response_urls`, so messages sharing one URL never spend a sixth use.
    """
    payload = dict(message)
    if response_url:
        payload["response_url"] = response_url
    await outbox.enqueue(
        session,
        kind="private",
        target=user_id,
        payload=payload,
        dedupe_key=f"{key}:private:{user_id}",
    )


async def reply_privately(
    sessions: async_sessionmaker[AsyncSession],
    user_id: str,
    *,
    message: dict[str, Any],
    key: str,
    response_url: str | None,
    received_at: datetime | None = None,
) -> None:
    """A listener's private answer after its ack, in a transaction of its own.

    Remembers `response_url` (received at `received_at`, default now) and queues the answer
    through `tell_privately`; the relay posts it as soon as this commits. A second call with
    the same `key` (a retried request) queues nothing.
    """
    async with sessions.begin() as session:
        if response_url:
            await response_urls.remember(
                session, response_url, user_id=user_id, received_at=received_at
            )
        await tell_privately(session, user_id, message=message, key=key, response_url=response_url)
