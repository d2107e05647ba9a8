"""Announce a Stripe event that admins subscribed to, in the generic rendering.

Runs in the event processor's transaction for every stored event (`bot/handlers/notify.py`), so
it reads one indexed query's worth and queues messages in the same transaction that marks the
event handled. Each channel gets the event once: the outbox's dedupe key names the event id
and the channel, so a duplicate delivery, a retry or two subscriptions reaching one channel
(`payout.*` and `payout.created`) never post twice.

Where: the subscription's channel; without one, the vendor's channel, else the ops channel
(`bot.notifications.routing.vendor_channel`). A type connectbot handles itself is announced
only in channels an admin named (its own message already goes to the vendor's channel).
Whose subscriptions: the workspace of the vendor whose account the event happened on; for an
event on the platform (or an account connectbot does not know), the configured workspace
(`SLACK_TEAM_ID`), or every workspace's when none is configured.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.notifications.routing import post_in, vendor_channel
from bot.parsing import groups_of
from bot.views.event_notice import event_notice
from storage.repos import notify_subscriptions, vendors


async def announce_subscribed(
    session: AsyncSession, settings: Settings, event: dict[str, Any], *, handled: Collection[str]
) -> list[str]:
    """Queue the generic message of `event` in each channel its subscriptions route it to; the
    channels, none when nobody subscribed. `handled`: the types connectbot handles itself."""
    event_type = str(event.get("type") or "")
    # Every stored event comes here: one read of a small table when nobody chose the type.
    subscriptions = await notify_subscriptions.matching(
        session, team_id=None, patterns=(event_type, *groups_of(event_type))
    )
    if not subscriptions:
        return []
    account = event.get("account")
    vendor = await vendors.by_account(session, str(account)) if account else None
    team = vendor.team_id if vendor else settings.slack_team_id
    chosen: dict[str, str] = {}  # channel → the subscription (type or group) that chose it
    for subscription in subscriptions:
        if team is not None and subscription.team_id != team:
            continue
        if subscription.channel_id is None and event_type in handled:
            continue  # connectbot's own message already went where this would go
        channel = subscription.channel_id or vendor_channel(vendor, settings)
        if channel and channel not in chosen:
            chosen[channel] = subscription.event_type
    for channel, subscription_type in chosen.items():
        message = event_notice(
            event,
            vendor_user_id=vendor.slack_user_id if vendor else None,
            subscription=subscription_type,
        )
        await post_in(session, channel, message=message, key=f"notify:{event['id']}")
    return list(chosen)
