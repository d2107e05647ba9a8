"""An event's object at the API version connectbot is written for (`client.API_VERSION`).

Stripe renders an event at its webhook endpoint's API version. When that is another version,
the object is read fresh from Stripe, by id, on the event's account, at `API_VERSION` — never
guessed from fields of another version. Handlers then see the object as of now, which they are
written for anyway: events come in any order and handlers re-read what order matters for.

Objects connectbot does not fetch are read as delivered: in `application`
(`account.application.*`) handlers read nothing but the event's `account`; from a dispute
(amount, currency, reason, evidence_details.due_by, charge, status, balance_transactions'
amount, fee and reporting_category), a payout (amount, currency, arrival_date,
failure_code, failure_message), an early fraud warning (charge, fraud_type, actionable), a
capability (id, account, status: the handler reads the account fresh anyway) and a card
(customer, brand, last4, exp_month, exp_year) they read fields present with the same meaning
in every version from 2020-08-27 (Stripe's OpenAPI document of that version) to `API_VERSION`.
Any other object at another version is refused (`UnreadableEvent`): the event is retried and
then counted as failed, rather than handled on fields that may mean something else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import stripe
from stripe import RequestOptions

from bot.stripe_ops.client import API_VERSION, StripeConnection

Fetch = Callable[[stripe.StripeClient, str, RequestOptions], Awaitable[stripe.StripeObject]]

FRESH_READS: dict[str, Fetch] = {
    "payment_intent": lambda api, id_, opts: api.v1.payment_intents.retrieve_async(
        id_, options=opts
    ),
    "charge": lambda api, id_, opts: api.v1.charges.retrieve_async(id_, options=opts),
    "account": lambda api, id_, opts: api.v1.accounts.retrieve_async(id_, options=opts),
    "checkout.session": lambda api, id_, opts: api.v1.checkout.sessions.retrieve_async(
        id_, options=opts
    ),
    "application_fee": lambda api, id_, opts: api.v1.application_fees.retrieve_async(
        id_, options=opts
    ),
}
READ_AS_DELIVERED = frozenset(
    {"application", "dispute", "payout", "radar.early_fraud_warning", "capability", "card"}
)


class UnreadableEvent(Exception):
    """An event at another API version whose object connectbot cannot read fresh."""


async def at_api_version(
    stripe_connection: StripeConnection, event: dict[str, Any]
) -> dict[str, Any]:
    """`event` with `data.object` at `API_VERSION`: as delivered when the event already is at
    that version or the object reads the same in every version, otherwise read fresh.

    The fresh event drops `data.previous_attributes` (they were rendered at the other version).
    Raises `UnreadableEvent` for an object that is neither, and Stripe's errors when the read
    fails (the event processor retries).
    """
    obj: dict[str, Any] = event["data"]["object"]
    kind = str(obj.get("object"))
    if event.get("api_version") == API_VERSION or kind in READ_AS_DELIVERED:
        return event
    fetch = FRESH_READS.get(kind)
    if fetch is None or not obj.get("id"):
        raise UnreadableEvent(
            f"{event.get('id')}: a {kind} rendered at {event.get('api_version')}, which "
            f"connectbot cannot read at {API_VERSION}; set the webhook endpoint to {API_VERSION}"
        )
    options: RequestOptions = {}
    if event.get("account") and kind != "account":
        options["stripe_account"] = str(event["account"])
    fresh: stripe.StripeObject
    if kind == "account" and not event.get("account"):
        # The platform's own account: `GET /v1/account`.
        fresh = await stripe_connection.api.v1.accounts.retrieve_current_async()
    else:
        fresh = await fetch(stripe_connection.api, str(obj["id"]), options)
    return {**event, "data": {"object": fresh.to_dict()}}
