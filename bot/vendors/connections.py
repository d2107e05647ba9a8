"""A vendor connected or disconnected: the only places a vendor's status changes.

`record_connected` (OAuth callback, Account Links return) and `record_disconnected`
(`/vendors disconnect`, the deauthorization webhook, a revoked OAuth code) each store the change
with its messages and audit entry in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.notifications.routing import announce, tell_ops, tell_user
from bot.services import Services
from bot.stripe_ops.accounts import AccountState
from bot.views.onboarding import vendor_connected_note, vendor_disconnected, vendor_welcome
from storage.models import Vendor, utcnow
from storage.repos import audit, customers, vendors
from storage.repos.oauth_states import StateOwner


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


#: The audit outcome of an admin's disconnect before Stripe is asked (`bot/vendors/disconnect.py`).
DISCONNECT_REQUESTED = "requested"
#: How long such a request names its admin to a deauthorization webhook that wins the race.
REQUEST_NAMES_ADMIN_FOR = timedelta(minutes=2)


async def disconnect_requested_by(session: AsyncSession, account_id: str) -> str | None:
    """The admin who asked to disconnect `account_id` in the last couple of minutes, if any:
    the deauthorization webhook may be handled before that admin's own flow records it."""
    return await audit.latest_actor(
        session,
        action="vendor.disconnect",
        target=account_id,
        outcome=DISCONNECT_REQUESTED,
        since=utcnow() - REQUEST_NAMES_ADMIN_FOR,
    )


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
    msg = vendor_disconnected(vendor.slack_user_id, account_id, by=actor, livemode=vendor.livemode)
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
