"""`/payouts`: a vendor's balance and payouts, read from Stripe now (nothing stored).

Whose account: a vendor sees their own, whatever vendor they name; operators and admins the
vendor they name (they must name one); anyone else is refused. Two Stripe reads, one each for
the balance and the payouts, under the vendor's `Stripe-Account`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.permissions import is_operator
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.errors import Trouble
from bot.stripe_ops.payouts import Balance, Payout, balance, recent_payouts
from bot.vendors.directory import find_vendor
from bot.views.payouts import PayoutSeen, payouts_summary

NOT_ALLOWED = (
    "Only connectbot operators, admins and vendors can see payouts. "
    "Connect your own Stripe account with `/connect-vendor`."
)
#: Returned as is, so the command can tell it apart and add the usage.
NAME_A_VENDOR = Refusal("Name the vendor whose payouts you want to see: `/payouts @vendor`.")
#: Payouts still on their way (Stripe's statuses); the others are done.
COMING = ("pending", "in_transit")


def whose(*, operator: bool, vendor: bool, caller: str, named: str | None) -> str | Refusal:
    """The Slack user whose payouts `caller` may see: the one named for operators and admins
    (refused when none is named), their own for a vendor (whoever they name); anyone else is
    refused."""
    if operator:
        return named if named is not None else NAME_A_VENDOR
    if vendor:
        return caller
    return Refusal(NOT_ALLOWED)


def last_and_next(payouts: tuple[Payout, ...]) -> tuple[Payout | None, Payout | None]:
    """The newest payout that is done (paid, failed or canceled) and the coming one that
    arrives first; `payouts` newest first, as Stripe lists them."""
    done = next((p for p in payouts if p.status not in COMING), None)
    coming = sorted((p for p in payouts if p.status in COMING), key=lambda p: p.arrival_date)
    return done, (coming[0] if coming else None)


def _seen(payout: Payout | None) -> PayoutSeen | None:
    if payout is None:
        return None
    return PayoutSeen(payout.money, payout.status, payout.arrival_date)


def _stripe_refusal(trouble: Trouble, mention: str) -> Refusal:
    if trouble.kind == "forbidden":
        return Refusal(
            f"Stripe no longer lets connectbot read {mention}'s account: the account was "
            "disconnected from the platform. They can connect again with `/connect-vendor`."
        )
    return Refusal(
        f"Stripe is unavailable right now, so {mention}'s payouts could not be read. "
        "Try again in a minute."
    )


async def summary(
    services: Services, *, team: str, caller: str, named: str | None
) -> dict[str, Any] | Refusal:
    """The `/payouts` answer for the vendor `whose` picks; refuses an unknown or disconnected
    vendor, and says so when Stripe is unavailable or no longer lets connectbot in."""
    operator = is_operator(services.settings, caller)
    own = None if operator else await find_vendor(services, team, caller)
    user = whose(operator=operator, vendor=own is not None, caller=caller, named=named)
    if isinstance(user, Refusal):
        return user
    mention = f"<@{user}>"
    vendor = own if own is not None else await find_vendor(services, team, user)
    if vendor is None:
        return Refusal(f"{mention} is not a vendor: they have not connected a Stripe account.")
    if vendor.status == "disconnected":
        return Refusal(
            f"{mention}'s Stripe account is disconnected, so connectbot cannot read its "
            "payouts. They can connect again with `/connect-vendor`."
        )
    account = vendor.stripe_account_id
    held, paid = await asyncio.gather(
        balance(services.stripe, account), recent_payouts(services.stripe, account)
    )
    for answer in (held, paid):
        if isinstance(answer, Trouble):
            return _stripe_refusal(answer, mention)
    assert isinstance(held, Balance) and not isinstance(paid, Trouble)
    last, upcoming = last_and_next(paid)
    return payouts_summary(
        vendor_label=mention,
        available=held.available,
        pending=held.pending,
        last=_seen(last),
        upcoming=_seen(upcoming),
    )
