"""Where a message goes: the vendor's channel, else the ops channel; DMs to Slack users.

Each helper enqueues into the outbox in the caller's transaction. `key` names the cause
(e.g. `evt_123` or `charge:cb_ch_1:succeeded`); the suffix per destination makes the dedupe
key, so re-running the cause never queues a second copy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.models import Vendor
from storage.repos import outbox


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
