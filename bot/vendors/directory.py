"""The vendor list as each person may see it, and the fee each vendor is charged.

Operators and admins see every vendor; a vendor sees only their own row (in any state: a
disconnected vendor may still see it); anyone else is refused.
"""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.money import FeePolicy, chosen_fee_policy, describe_fee_policy, make_fee_policy
from bot.permissions import is_operator
from bot.refusal import Refusal
from bot.services import Services
from bot.views.vendors import PAGE_SIZE, VendorLine, vendor_list
from storage.models import Vendor
from storage.repos import vendors

NOT_ALLOWED = (
    "Only connectbot operators, admins and vendors can list vendors. "
    "Connect your own Stripe account with `/connect-vendor`."
)


async def find_vendor(services: Services, team: str, user_id: str) -> Vendor | None:
    """`user_id`'s vendor row in `team`, in any state; None when they never connected."""
    async with services.sessions() as session:
        return await vendors.by_slack_user(session, team, user_id)


def fee_policy_for(vendor: Vendor, settings: Settings) -> FeePolicy | Refusal:
    """The vendor's own fee when an admin set one, else APPLICATION_FEE_PERCENT / _FIXED.

    Refuses what `make_fee_policy` refuses (a stored fee no policy can hold).
    """
    return chosen_fee_policy(
        own_percent=vendor.fee_percent,
        own_fixed=vendor.fee_fixed,
        own_currency=vendor.fee_currency or settings.default_currency,
        default=make_fee_policy(
            settings.application_fee_percent,
            settings.application_fee_fixed,
            settings.default_currency,
        ),
    )


def fee_text(services: Services, vendor: Vendor) -> str:
    """The vendor's platform fee in words: their own, or `default (…)` when none is set; why
    not, when the fee cannot be charged."""
    policy = fee_policy_for(vendor, services.settings)
    if isinstance(policy, Refusal):
        return policy.message
    described = describe_fee_policy(policy)
    if vendor.fee_percent is None and vendor.fee_fixed is None:
        return f"default ({described})"
    return described


def _line(services: Services, vendor: Vendor) -> VendorLine:
    return VendorLine(
        slack_user_id=vendor.slack_user_id,
        account_id=vendor.stripe_account_id,
        status=vendor.status,
        charges_enabled=vendor.charges_enabled,
        payouts_enabled=vendor.payouts_enabled,
        fee=fee_text(services, vendor),
        channel_id=vendor.channel_id,
        livemode=vendor.livemode,
    )


async def list_page(
    services: Services, *, caller: str, team: str, offset: int
) -> dict[str, Any] | Refusal:
    """A page of the list as `caller` may see it: all (operators), their own row (a vendor).

    Refuses someone who is neither. An `offset` past the end shows the last page.
    """
    async with services.sessions() as session:
        if is_operator(services.settings, caller):
            total = await vendors.count(session, team)
            offset = max(0, min(offset, max(0, total - 1)))
            rows = await vendors.page(session, team, offset=offset, limit=PAGE_SIZE)
            lines = [_line(services, v) for v in rows]
            return vendor_list(lines, offset=offset, total=total)
        own = await vendors.by_slack_user(session, team, caller)
        if own is None:
            return Refusal(NOT_ALLOWED)
        return vendor_list([_line(services, own)], offset=0, total=1, own_only=True)
