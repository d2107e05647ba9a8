"""A vendor's payout paid out or returned by the bank: their channel and a DM say so.

Keyed by the payout and its status, so a duplicate delivery, or a second event about the same
outcome, posts nothing twice; a payout that is paid and later returned (Stripe sends
`payout.failed` after `payout.paid` when the bank sends the money back) is told both times.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.money import Money
from bot.notifications.routing import tell_everyone_concerned
from bot.views.dashboard import vendor_label
from bot.views.payouts import payout_message
from storage.repos import vendors


async def announce_payout(
    session: AsyncSession,
    settings: Settings,
    payout: dict[str, Any],
    *,
    status: str,
    account: str | None,
    livemode: bool,
) -> None:
    """Tell the vendor of `account` (`status`: paid or failed) with the failure's reason and
    advice; a payout on an account that is no vendor's goes to the ops channel."""
    vendor = await vendors.by_account(session, account) if account else None
    msg = payout_message(
        status=status,
        amount=Money(int(payout["amount"]), str(payout["currency"]).lower()),
        vendor_label=vendor_label(
            vendor.slack_user_id if vendor else None, account, livemode=livemode
        ),
        arrival=payout.get("arrival_date"),
        failure=payout.get("failure_message"),
        failure_code=payout.get("failure_code"),
        payout_id=str(payout["id"]),
        livemode=livemode,
        account=account,
    )
    key = f"payout:{payout['id']}:{status}"
    await tell_everyone_concerned(
        session, settings, vendor=vendor, message=msg, key=key, ops=status == "failed"
    )
