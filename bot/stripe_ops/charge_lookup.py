"""Finding the PaymentIntent a charge request made, without sending the request again.

Used when a `pending` charge is old enough that its idempotency key may be pruned (see
`bot.stripe_ops.keys`). The PaymentIntent carries `metadata.connectbot_charge_id`, so it is
searched for by that; search is eventually consistent ("data is searchable in less than a
minute", more during outages: API reference, "Search PaymentIntents"), so when search finds
nothing the vendor's PaymentIntents for the charge's customer created since the charge are
listed (the list API is consistent) and matched by the same metadata. A found PaymentIntent is
read again by id, so its status is current. Speaks only Stripe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import stripe

from bot.stripe_ops.charges import Attempt, attempt_from_event
from bot.stripe_ops.client import StripeConnection

log = logging.getLogger(__name__)

#: Pages of 100 PaymentIntents listed before the lookup calls itself incomplete.
MAX_LIST_PAGES = 20


@dataclass(frozen=True)
class Lookup:
    """What the vendor's account holds for one connectbot charge.

    `found`: its PaymentIntent, read as `attempt` (the outcome a Stripe answer would have
    given); `absent`: no PaymentIntent carries the charge id (search and the consistent list
    agree); `unknown`: Stripe could not be asked (error or too many pages), try again later.
    """

    state: Literal["found", "absent", "unknown"]
    attempt: Attempt | None = None
    message: str | None = None


async def find_payment_intent(
    connection: StripeConnection,
    *,
    stripe_account: str,
    charge_id: str,
    customer: str,
    created_from: int,
) -> Lookup:
    """The PaymentIntent whose `metadata.connectbot_charge_id` is `charge_id`, if any.

    `customer` (the vendor's customer the request named) and `created_from` (a Unix time no
    later than the first send) bound the consistent listing. Never raises a StripeError.
    """
    api = connection.api.v1
    options: Any = {"stripe_account": stripe_account}
    try:
        found = await api.payment_intents.search_async(
            params={"query": f"metadata['connectbot_charge_id']:'{charge_id}'", "limit": 10},
            options=options,
        )
        ids = [i.id for i in found.data if _is_for(i, charge_id)]
        if not ids:
            listed = await _listed(api, options, charge_id, customer, created_from)
            if listed is None:
                return Lookup("unknown", message="too many PaymentIntents to list")
            ids = listed
        if not ids:
            return Lookup("absent")
        if len(ids) > 1:
            log.error("charge %s has %d PaymentIntents: %s", charge_id, len(ids), ids)
        intents = [await api.payment_intents.retrieve_async(i, options=options) for i in ids]
    except stripe.StripeError as exc:
        log.warning("looking up charge %s on Stripe failed: %r", charge_id, exc)
        return Lookup("unknown", message=f"{type(exc).__name__} while looking it up")
    chosen = next((i for i in intents if i.status == "succeeded"), intents[0])
    return Lookup("found", attempt_from_intent(chosen.to_dict()))


async def _listed(
    api: Any, options: Any, charge_id: str, customer: str, created_from: int
) -> list[str] | None:
    """Ids of the customer's PaymentIntents for `charge_id`; None when there are too many."""
    params: dict[str, Any] = {"customer": customer, "created": {"gte": created_from}, "limit": 100}
    for _ in range(MAX_LIST_PAGES):
        page = await api.payment_intents.list_async(params=params, options=options)
        hits = [i.id for i in page.data if _is_for(i, charge_id)]
        if hits or not page.has_more:
            return hits
        params["starting_after"] = page.data[-1].id
    return None


def _is_for(intent: stripe.PaymentIntent, charge_id: str) -> bool:
    metadata = intent.metadata.to_dict() if intent.metadata else {}
    return metadata.get("connectbot_charge_id") == charge_id


def attempt_from_intent(intent: dict[str, Any]) -> Attempt:
    """The outcome a found PaymentIntent stands for, as the create call would have reported it.

    `succeeded` and `requires_payment_method` (a decline, or authentication needed off-session,
    which Stripe reports as a card error) read as the webhook's event would; `requires_action`
    is `requires_action`; `canceled` is `failed`; anything else (`processing`, …) is not final.
    """
    status = intent.get("status")
    intent_id = str(intent.get("id"))
    latest = intent.get("latest_charge")
    charge = latest.get("id") if isinstance(latest, dict) else latest
    if status in ("succeeded", "requires_payment_method"):
        return attempt_from_event(intent)
    if status == "requires_action":
        return Attempt("requires_action", intent_id, charge, failure_code="requires_action")
    if status == "canceled":
        return Attempt(
            "failed", intent_id, charge, failure_code="canceled", message="It was canceled."
        )
    return Attempt("unknown", intent_id, charge, message=f"status {status}")
