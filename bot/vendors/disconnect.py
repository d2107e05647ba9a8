"""An admin disconnects a vendor: asked for in `/vendors disconnect`, confirmed by a button.

Disconnecting calls Stripe's `POST /oauth/deauthorize` and records the vendor disconnected at
once, so the status is right even if the deauthorization webhook never arrives; when it does
arrive it finds the vendor already disconnected and adds no second message. Callers check that
the caller is an admin.
"""

from __future__ import annotations

from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.errors import StripeUnavailable
from bot.stripe_ops.oauth import deauthorize
from bot.vendors.connections import DISCONNECT_REQUESTED, record_disconnected
from bot.vendors.directory import find_vendor
from storage.models import Vendor
from storage.repos import audit


def _who(vendor: Vendor) -> str:
    return f"<@{vendor.slack_user_id}> (`{vendor.stripe_account_id}`)"


async def vendor_to_disconnect(services: Services, *, team: str, user_id: str) -> Vendor | Refusal:
    """The vendor an admin may be asked to confirm disconnecting; refuses someone who is not a
    vendor or is already disconnected."""
    vendor = await find_vendor(services, team, user_id)
    if vendor is None:
        return Refusal(f"<@{user_id}> is not a vendor.")
    if vendor.status == "disconnected":
        return Refusal(f"{_who(vendor)} is already disconnected.")
    return vendor


async def disconnect_vendor(
    services: Services, admin: str, vendor_id: int, *, clicked: str
) -> str | Refusal:
    """Deauthorize the vendor's account at Stripe and record it; the admin's reply.

        Refuses a vendor that no longer exists or is already disconnected, and leaves the vendor
        connected (refused, audited) when Stripe cannot be reached. `clicked` (when the admin
    confirmed) keys the messages, so a retried request queues them once.
    """
    async with services.sessions() as session:
        vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        return Refusal("That vendor no longer exists.")
    who = _who(vendor)
    if vendor.status == "disconnected":
        return Refusal(f"{who} is already disconnected.")
    # Committed before Stripe is asked: Stripe sends `account.application.deauthorized` at
    # once, and when its handler records the disconnection before this flow does, it finds who
    # asked here and names them (`DISCONNECT_REQUESTED`).
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            actor=admin,
            action="vendor.disconnect",
            target=vendor.stripe_account_id,
            outcome=DISCONNECT_REQUESTED,
            team_id=vendor.team_id,
        )
    result = await deauthorize(services.stripe, vendor.stripe_account_id)
    if isinstance(result, StripeUnavailable):
        async with services.sessions.begin() as session:
            await audit.record(
                session,
                actor=admin,
                action="vendor.disconnect",
                target=vendor.stripe_account_id,
                outcome="stripe_unavailable",
                team_id=vendor.team_id,
            )
        return Refusal(
            f"Stripe could not be reached, so {who} is still connected. Please try again."
        )
    async with services.sessions.begin() as session:
        await record_disconnected(
            session,
            services.settings,
            account_id=vendor.stripe_account_id,
            actor=admin,
            key=f"disconnect:{vendor.stripe_account_id}:{clicked}",
        )
    return f"{who} is disconnected. Charges to them are refused until they connect again."
