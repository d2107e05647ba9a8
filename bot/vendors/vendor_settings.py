"""What an admin sets for a vendor: their platform fee and where their notifications go.

Every change is audited in the transaction that makes it. Callers check that the caller is an
admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.money import FeePolicy, describe_fee_policy
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.directory import fee_text
from storage.models import Vendor
from storage.repos import audit, vendors


async def set_fee(
    services: Services, *, vendor_user_id: str, policy: FeePolicy | None, caller: str, team: str
) -> str | Refusal:
    """Give the vendor their own fee (`policy`), or the default again (None); the reply.

    Refuses someone who is not a vendor.
    """

    def change(vendor: Vendor) -> dict[str, Any]:
        vendor.fee_percent = policy.percent if policy else None
        vendor.fee_fixed = policy.fixed if policy else None
        vendor.fee_currency = policy.fixed_currency if policy else None
        return {"fee": describe_fee_policy(policy) if policy else "the default"}

    vendor = await _change(services, vendor_user_id, "vendor.fee", change, caller=caller, team=team)
    if isinstance(vendor, Refusal):
        return vendor
    return f"The platform fee for <@{vendor_user_id}> is now {fee_text(services, vendor)}."


async def set_channel(
    services: Services, *, vendor_user_id: str, channel_id: str | None, caller: str, team: str
) -> str | Refusal:
    """Send the vendor's notifications to `channel_id` (None: the ops channel); the reply.

    Refuses someone who is not a vendor.
    """

    def change(vendor: Vendor) -> dict[str, Any]:
        vendor.channel_id = channel_id
        return {"channel": channel_id}

    done = await _change(
        services, vendor_user_id, "vendor.channel", change, caller=caller, team=team
    )
    if isinstance(done, Refusal):
        return done
    where = f"<#{channel_id}>" if channel_id else "the ops channel"
    return f"Notifications for <@{vendor_user_id}> now go to {where}."


async def _change(
    services: Services,
    vendor_user_id: str,
    action: str,
    change: Callable[[Vendor], dict[str, Any]],
    *,
    caller: str,
    team: str,
) -> Vendor | Refusal:
    """Apply `change` to the vendor and audit what it returns, in one transaction."""
    async with services.sessions.begin() as session:
        vendor = await vendors.by_slack_user(session, team, vendor_user_id)
        if vendor is None:
            return Refusal(
                f"<@{vendor_user_id}> is not a vendor. Connect them with `/connect-vendor`."
            )
        detail = change(vendor)
        await audit.record(
            session,
            actor=caller,
            action=action,
            target=vendor.stripe_account_id,
            outcome="updated",
            team_id=team,
            detail={"vendor": vendor.slack_user_id, **detail},
        )
    return vendor
