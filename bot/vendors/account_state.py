"""A vendor's account as Stripe has it: capabilities kept current, a flip of charges announced.

In two steps so that no Stripe call happens inside a database transaction: `read_account`
asks Stripe (before the event processor's transaction), `record_account_update` writes what it
read (inside it), under one lock of the vendor's row for the whole event.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.early_events import TryAgainLater
from bot.notifications.routing import announce
from bot.services import Services
from bot.stripe_ops.accounts import AccountState, retrieve_account
from bot.stripe_ops.errors import StripeUnavailable
from bot.vendors.requirements import tell_requirements
from bot.views.onboarding import charges_changed
from storage.models import Vendor
from storage.repos import audit, vendors


async def read_account(services: Services, account_id: str) -> AccountState | None:
    """The account fresh from Stripe when it is a vendor's not disconnected; else None.

    Events may arrive out of order, so the account is read rather than taken from the event.
    Raises `TryAgainLater` when Stripe cannot tell us (the event is handled again later).
    """
    if not account_id:
        return None
    async with services.sessions() as session:
        found = await vendors.by_account(session, account_id)
    if found is None or found.status == "disconnected":
        return None
    fresh = await retrieve_account(services.stripe, account_id)
    if isinstance(fresh, StripeUnavailable):
        raise TryAgainLater(f"could not read account {account_id} from Stripe; will retry")
    return fresh


async def record_account_update(
    session: AsyncSession, settings: Settings, fresh: AccountState, *, key: str
) -> None:
    """`account.updated`: store `fresh`'s capabilities and tell what Stripe needs from the
    vendor, with the vendor's row looked up and locked once for both (`key`: the event's id).

    The lock makes two processes recording two updates announce a flip, or a change in what
    is due, once. Changes nothing when the vendor is gone or disconnected since `fresh` was
    read; an onboarding vendor's capabilities are stored, but they are told nothing.
    """
    vendor = await vendors.lock_by_account(session, fresh.account_id)
    if vendor is None or vendor.status == "disconnected":
        return
    await _record_capabilities(session, settings, vendor, fresh, key=key)
    await tell_requirements(session, settings, vendor, fresh, key=key)


async def _record_capabilities(
    session: AsyncSession, settings: Settings, vendor: Vendor, fresh: AccountState, *, key: str
) -> None:
    """Store `fresh`'s charges/payouts_enabled on `vendor` (locked by the caller); tell the
    vendor's channel when charges flip."""
    flipped = vendor.charges_enabled != fresh.charges_enabled
    changed = flipped or vendor.payouts_enabled != fresh.payouts_enabled
    vendor.charges_enabled = fresh.charges_enabled
    vendor.payouts_enabled = fresh.payouts_enabled
    if not changed:
        return
    await audit.record(
        session,
        actor="stripe",
        action="vendor.capabilities",
        target=fresh.account_id,
        outcome="updated",
        team_id=vendor.team_id,
        detail={"charges_enabled": fresh.charges_enabled, "payouts_enabled": fresh.payouts_enabled},
    )
    if flipped and vendor.status == "connected":
        msg = charges_changed(
            vendor.slack_user_id,
            fresh.account_id,
            enabled=fresh.charges_enabled,
            livemode=vendor.livemode,
        )
        await announce(session, settings, vendor=vendor, message=msg, key=key)


async def keep_capabilities(services: Services, fresh: AccountState) -> None:
    """Store an onboarding vendor's capabilities as read (no message: they are not connected)."""
    async with services.sessions.begin() as session:
        vendor = await vendors.lock_by_account(session, fresh.account_id)
        if vendor is not None:
            vendor.charges_enabled = fresh.charges_enabled
            vendor.payouts_enabled = fresh.payouts_enabled
