"""A vendor's account lifecycle: connected, disconnected, capabilities changed.

`record_connected` (OAuth callback, Account Links return) and `record_disconnected`
(`/vendors disconnect`, the deauthorization webhook) are the only places a vendor's status
changes, each with its messages and audit entry in the same transaction. Webhook handlers:
`account.application.authorized|deauthorized` and `account.updated`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.early_events import TryAgainLater
from bot.notifications.routing import announce, tell_ops, tell_user
from bot.services import Services
from bot.stripe_ops.accounts import AccountState, retrieve_account
from bot.stripe_ops.webhooks import EventContext, EventHandlers
from bot.views.onboarding import (
    charges_changed,
    vendor_connected_note,
    vendor_disconnected,
    vendor_welcome,
)
from storage.models import Vendor
from storage.repos import audit, customers, vendors
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connected:
    account_id: str
    already: bool  # this user had connected this account before: nothing new was announced


@dataclass(frozen=True)
class Conflict:
    """The account belongs to another Slack user (`other_account` None), or this Slack user
    is still connected with `other_account`."""

    account_id: str
    other_account: str | None


@dataclass(frozen=True)
class NewConnection:
    account_id: str
    livemode: bool
    scope: str | None
    account: AccountState | None  # None when Stripe could not be asked (flags stay False)


async def record_connected(
    services: Services, owner: StateOwner, connection: NewConnection, *, key: str
) -> Connected | Conflict:
    """Store the vendor as connected; queue their DM and the ops note (dedupe on `key`).

    Refuses (`Conflict`, audited, nothing else stored) an account another Slack user holds,
    and a second account for a Slack user still connected with a different one.
    """
    try:
        async with services.sessions.begin() as session:
            outcome = await _connect(session, services.settings, owner, connection, key)
    except IntegrityError:
        # Another Slack user claimed the same account between our check and our write.
        outcome = Conflict(connection.account_id, None)
    if isinstance(outcome, Conflict):
        reason = "held by another vendor" if outcome.other_account is None else "vendor has another"
        async with services.sessions.begin() as session:
            await audit.record(
                session,
                actor=owner.slack_user_id,
                action="vendor.connect",
                target=connection.account_id,
                outcome="refused",
                team_id=owner.team_id,
                detail={"reason": f"account {reason}"},
            )
    return outcome


async def _connect(
    session: AsyncSession,
    settings: Settings,
    owner: StateOwner,
    connection: NewConnection,
    key: str,
) -> Connected | Conflict:
    account_id = connection.account_id
    holder = await vendors.by_account(session, account_id)
    if holder is not None and (holder.team_id, holder.slack_user_id) != (
        owner.team_id,
        owner.slack_user_id,
    ):
        return Conflict(account_id, None)
    mine = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    if mine is not None and mine.status == "connected":
        if mine.stripe_account_id != account_id:
            return Conflict(account_id, mine.stripe_account_id)
        return Connected(account_id, already=True)
    if mine is not None and mine.stripe_account_id != account_id:
        # Connected again with another account: customers shared with the old one live there.
        await customers.forget_shares(session, mine.id)
    state = connection.account
    charges = state.charges_enabled if state else False
    payouts = state.payouts_enabled if state else False
    vendor = await vendors.save_account(
        session,
        team_id=owner.team_id,
        slack_user_id=owner.slack_user_id,
        stripe_account_id=account_id,
        status="connected",
        livemode=connection.livemode,
        scope=connection.scope,
        email=state.email if state else None,
        charges_enabled=charges,
        payouts_enabled=payouts,
    )
    welcome = vendor_welcome(account_id, charges_enabled=charges, payouts_enabled=payouts)
    await tell_user(session, vendor.slack_user_id, message=welcome, key=key)
    note = vendor_connected_note(
        vendor.slack_user_id,
        account_id,
        livemode=connection.livemode,
        charges_enabled=charges,
        payouts_enabled=payouts,
        requested_by=owner.requested_by,
    )
    await tell_ops(session, settings, message=note, key=key)
    await audit.record(
        session,
        actor=owner.slack_user_id,
        action="vendor.connect",
        target=account_id,
        outcome="connected",
        team_id=owner.team_id,
        detail={
            "livemode": connection.livemode,
            "scope": connection.scope,
            "by": owner.requested_by,
        },
    )
    return Connected(account_id, already=False)


async def record_disconnected(
    session: AsyncSession, settings: Settings, *, account_id: str, actor: str | None, key: str
) -> Vendor | None:
    """Mark the vendor disconnected and tell their channel, once.

    `actor` is the admin who disconnected, or None when Stripe told us. Returns None (and
    queues nothing) when the vendor is unknown or already disconnected, so the webhook that
    follows a `/vendors disconnect` adds no second message.
    """
    vendor = await vendors.mark_disconnected(session, account_id)
    if vendor is None:
        return None
    msg = vendor_disconnected(vendor.slack_user_id, account_id, by=actor)
    await announce(session, settings, vendor=vendor, message=msg, key=key)
    await audit.record(
        session,
        actor=actor or "stripe",
        action="vendor.disconnect",
        target=account_id,
        outcome="disconnected",
        team_id=vendor.team_id,
        detail={"vendor": vendor.slack_user_id},
    )
    return vendor


def register(handlers: EventHandlers) -> None:
    handlers.on("account.application.authorized")(application_authorized)
    handlers.on("account.application.deauthorized")(application_deauthorized)
    handlers.on("account.updated")(account_updated)


async def application_authorized(ctx: EventContext) -> None:
    """Nothing to do: the OAuth callback records the vendor (it alone knows the Slack user)."""
    if ctx.account and await vendors.by_account(ctx.session, ctx.account) is None:
        log.info("%s authorized the platform; its vendor is recorded by the callback", ctx.account)


async def application_deauthorized(ctx: EventContext) -> None:
    if ctx.account:
        await record_disconnected(
            ctx.session, ctx.services.settings, account_id=ctx.account, actor=None, key=ctx.id
        )


async def account_updated(ctx: EventContext) -> None:
    """Keep charges/payouts_enabled current; tell the channel when charges flip.

    Events may arrive out of order, so the account is read fresh from Stripe; the vendor row
    is locked so two processes handling two updates announce a flip once.
    """
    account_id = ctx.account or str(ctx.object.get("id") or "")
    found = await vendors.by_account(ctx.session, account_id) if account_id else None
    if found is None or found.status == "disconnected":
        return
    fresh = await retrieve_account(ctx.services.stripe, account_id)
    if fresh is None:
        raise TryAgainLater(f"could not read account {account_id} from Stripe; will retry")
    vendor = await vendors.lock(ctx.session, found.id)
    if vendor is None:
        return
    flipped = vendor.charges_enabled != fresh.charges_enabled
    changed = flipped or vendor.payouts_enabled != fresh.payouts_enabled
    vendor.charges_enabled = fresh.charges_enabled
    vendor.payouts_enabled = fresh.payouts_enabled
    if not changed:
        return
    await audit.record(
        ctx.session,
        actor="stripe",
        action="vendor.capabilities",
        target=account_id,
        outcome="updated",
        team_id=vendor.team_id,
        detail={"charges_enabled": fresh.charges_enabled, "payouts_enabled": fresh.payouts_enabled},
    )
    if flipped and vendor.status == "connected":
        msg = charges_changed(vendor.slack_user_id, account_id, enabled=fresh.charges_enabled)
        await announce(ctx.session, ctx.services.settings, vendor=vendor, message=msg, key=ctx.id)
