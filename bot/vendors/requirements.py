"""What Stripe needs from a vendor, told once per change; a capability changing status.

`account.updated` arrives for many reasons (a logo, a payout schedule, every capability), and
in any order; the account is read fresh from Stripe before the transaction (see
`bot.vendors.account_state`). What is due (past, now, eventually) and by when is reduced to a
digest kept on the vendor row (`requirements_told`): the vendor's channel and the vendor hear
only when it differs from what they were last told, under the vendor's row lock, so two
processes handling two updates tell one change once. Nothing due any more clears the digest
quietly, so the same fields coming due again later are told again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.notifications.routing import tell_everyone_concerned
from bot.stripe_ops.accounts import AccountState
from bot.views.dashboard import vendor_label
from bot.views.requirements import capability_message, requirements_message
from storage.models import Vendor
from storage.repos import audit, vendors


def requirements_digest(fresh: AccountState) -> str | None:
    """A digest of what is due and by when; None when nothing is due at all."""
    if not (fresh.past_due or fresh.currently_due or fresh.eventually_due):
        return None
    shape = {
        "past_due": sorted(fresh.past_due),
        "currently_due": sorted(fresh.currently_due),
        "eventually_due": sorted(fresh.eventually_due),
        "deadline": fresh.current_deadline,
        "disabled": fresh.disabled_reason,
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


async def tell_requirements(
    session: AsyncSession, settings: Settings, vendor: Vendor, fresh: AccountState, *, key: str
) -> None:
    """Tell `vendor` (its row locked by the caller) what is due when it changed since they
    were last told (`key`: the event's id, so the same requirements coming due again after a
    clear are told again). Only connected vendors hear (an onboarding vendor is still filling
    the form in)."""
    if vendor.status != "connected":
        return
    digest = requirements_digest(fresh)
    if digest == vendor.requirements_told:
        return
    vendor.requirements_told = digest
    if digest is None:
        return
    msg = requirements_message(
        vendor_label=vendor_label(vendor.slack_user_id, fresh.account_id, livemode=vendor.livemode),
        account=fresh.account_id,
        livemode=vendor.livemode,
        past_due=fresh.past_due,
        currently_due=fresh.currently_due,
        eventually_due=fresh.eventually_due,
        deadline=fresh.current_deadline,
        disabled_reason=fresh.disabled_reason,
    )
    await tell_everyone_concerned(
        session, settings, vendor=vendor, message=msg, key=f"{key}:requirements"
    )
    await audit.record(
        session,
        team_id=vendor.team_id,
        actor="stripe",
        action="vendor.requirements",
        target=fresh.account_id,
        outcome="due",
        detail={"past_due": list(fresh.past_due), "currently_due": list(fresh.currently_due)},
    )


async def tell_capability(
    session: AsyncSession,
    settings: Settings,
    capability: dict[str, Any],
    *,
    before: str | None,
    fresh: AccountState | None,
    event_id: str,
) -> None:
    """A capability of a connected vendor's account changed status (`before`: the status the
    event says it had, when it says). Told only while `fresh` (the account read from Stripe
    before the transaction) still has that status: an event overtaken by a later change is
    old news, and the later change's own event tells it."""
    if fresh is None:
        return
    account = fresh.account_id
    status = str(capability.get("status"))
    if dict(fresh.capabilities).get(str(capability.get("id"))) != status or before == status:
        return
    vendor = await vendors.by_account(session, account)
    if vendor is None or vendor.status != "connected":
        return
    msg = capability_message(
        vendor_label=vendor_label(vendor.slack_user_id, account, livemode=vendor.livemode),
        account=account,
        livemode=vendor.livemode,
        capability=str(capability.get("id")),
        status=status,
        before=before,
    )
    key = f"capability:{account}:{capability.get('id')}:{event_id}"
    await tell_everyone_concerned(session, settings, vendor=vendor, message=msg, key=key)
