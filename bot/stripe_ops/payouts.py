"""A connected account's balance and payouts, read under `Stripe-Account` (one request each)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from stripe.params import PayoutListParams

from bot.money import Money
from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import Trouble, triage

log = logging.getLogger(__name__)

#: How many of the newest payouts are read: enough to find the last one made and the next
#: one coming, in one request.
RECENT = 10


@dataclass(frozen=True)
class Balance:
    """What the account holds per currency: `available` to pay out, `pending` not yet."""

    available: tuple[Money, ...]
    pending: tuple[Money, ...]


@dataclass(frozen=True)
class Payout:
    """One payout: `status` is Stripe's (paid, pending, in_transit, canceled, failed);
    `arrival_date` a Unix timestamp (the expected one while not yet paid)."""

    payout_id: str
    money: Money
    status: str
    arrival_date: int
    created: int


def _amounts(entries: Any) -> tuple[Money, ...]:
    return tuple(Money(int(entry["amount"]), str(entry["currency"])) for entry in entries or ())


async def balance(stripe_connection: StripeConnection, account: str) -> Balance | Trouble:
    """`account`'s balance (`GET /v1/balance`); a `Trouble` when Stripe fails (logged)."""
    try:
        found = await stripe_connection.api.v1.balance.retrieve_async(
            options={"stripe_account": account}
        )
    except stripe.StripeError as exc:
        log.warning("could not read the balance of %s: %s", account, exc)
        return triage(exc)
    body = found.to_dict()
    return Balance(_amounts(body.get("available")), _amounts(body.get("pending")))


async def recent_payouts(
    stripe_connection: StripeConnection, account: str
) -> tuple[Payout, ...] | Trouble:
    """`account`'s newest payouts, newest first (`GET /v1/payouts`, one page of `RECENT`); a
    `Trouble` when Stripe fails (logged)."""
    params: PayoutListParams = {"limit": RECENT}
    try:
        page = await stripe_connection.api.v1.payouts.list_async(
            params=params, options={"stripe_account": account}
        )
    except stripe.StripeError as exc:
        log.warning("could not list the payouts of %s: %s", account, exc)
        return triage(exc)
    return tuple(
        Payout(
            payout_id=str(payout.id),
            money=Money(int(payout.amount), str(payout.currency)),
            status=str(payout.status),
            arrival_date=int(payout.arrival_date),
            created=int(payout.created),
        )
        for payout in page.data
    )
