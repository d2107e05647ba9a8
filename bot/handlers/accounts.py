"""Stripe events about a vendor's account: authorized, deauthorized, updated, a capability.

Thin: the vendor domain (`bot.vendors`) records the change and tells what Stripe needs from the
vendor (`bot.vendors.requirements`). `account.updated` and `capability.updated` read the account
from Stripe in their `prepare` step, before the event processor's transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.services import Services
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.accounts import AccountState
from bot.vendors.account_state import read_account, record_account_update
from bot.vendors.connections import disconnect_requested_by, record_disconnected
from bot.vendors.requirements import tell_capability
from storage.repos import vendors

log = logging.getLogger(__name__)


def register(handlers: EventHandlers) -> None:
    handlers.on("account.application.authorized")(application_authorized)
    handlers.on("account.application.deauthorized")(application_deauthorized)
    handlers.on("account.updated", prepare=read_updated_account)(account_updated)
    handlers.on("capability.updated", prepare=read_updated_account)(capability_updated)


async def application_authorized(ctx: EventContext) -> None:
    """Nothing to do: the OAuth callback records the vendor (it alone knows the Slack user)."""
    if ctx.account and await vendors.by_account(ctx.session, ctx.account) is None:
        log.info("%s authorized the platform; its vendor is recorded by the callback", ctx.account)


async def application_deauthorized(ctx: EventContext) -> None:
    """The vendor's account left the platform: recorded and told once. When an admin's
    `/vendors disconnect` caused it, their name is kept even if this webhook is handled
    before their own flow records it."""
    if ctx.account:
        actor = await disconnect_requested_by(ctx.session, ctx.account)
        await record_disconnected(
            ctx.session, ctx.services.settings, account_id=ctx.account, actor=actor, key=ctx.id
        )


async def read_updated_account(services: Services, event: dict[str, Any]) -> AccountState | None:
    """Before the transaction: the vendor's account fresh from Stripe (None: not a vendor's)."""
    obj = event["data"]["object"]
    # A capability names its account; an account is its own id.
    account_id = event.get("account") or obj.get("account") or obj.get("id") or ""
    return await read_account(services, str(account_id))


async def account_updated(ctx: EventContext) -> None:
    """Keep charges/payouts_enabled current; tell the channel when charges flip, and the
    vendor when what Stripe needs from them changed."""
    fresh: AccountState | None = ctx.prepared
    if fresh is not None:
        await record_account_update(ctx.session, ctx.services.settings, fresh, key=ctx.id)


async def capability_updated(ctx: EventContext) -> None:
    previous = (ctx.event["data"].get("previous_attributes") or {}).get("status")
    await tell_capability(
        ctx.session,
        ctx.services.settings,
        ctx.object,
        before=str(previous) if previous else None,
        fresh=ctx.prepared,
        event_id=ctx.id,
    )
