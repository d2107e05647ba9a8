"""Control routes (not Stripe's) for changes Stripe makes to an account or a customer's card.

* ``POST /_fake/accounts/{acct}/capabilities/{capability} {"status": …}``: Stripe changes a
  capability of the account; ``capability.updated`` with the Capability object
  (docs.stripe.com/api/capabilities/object) and ``account.updated`` (the account's
  ``capabilities`` hash changed).
* ``POST /_fake/customers/{customer}/source_expiring {"exp_month": m, "exp_year": y}``:
  ``customer.source.expiring`` for the customer's default card (its expiry as given, default
  the saved card's: a test card's expiry is years away), "Occurs whenever a card or source
  will expire at the end of the month" (docs.stripe.com/api/events/types); its object is a
  Card (``card_…``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import account_and_body, json_response
from .events import record
from .store import STATE_KEY, new_id, render, skeleton

#: docs.stripe.com/api/capabilities/object: status.
CAPABILITY_STATUSES = ("active", "inactive", "pending", "unrequested", "disabled")


async def update_capability(request: web.Request) -> web.Response:
    found = await account_and_body(request, "acct")
    if isinstance(found, web.Response):
        return found
    state, account, body = found
    acct = state.objects[account]
    name = request.match_info["capability"]
    status = str(body.get("status", ""))
    if status not in CAPABILITY_STATUSES:
        return json_response({"error": f"status must be one of {CAPABILITY_STATUSES}"}, 400)
    before = (acct.get("capabilities") or {}).get(name, "unrequested")
    acct["capabilities"] = {**(acct.get("capabilities") or {}), name: status}
    capability = skeleton("capability")
    requirements = {
        key: acct["requirements"].get(key)
        for key in (
            "alternatives",
            "current_deadline",
            "currently_due",
            "disabled_reason",
            "errors",
            "eventually_due",
            "past_due",
            "pending_verification",
        )
    }
    capability.update(
        id=name,
        account=account,
        requested=status != "unrequested",
        requested_at=acct["created"] if status != "unrequested" else None,
        requirements=requirements,
        future_requirements={**requirements, "currently_due": [], "past_due": []},
        status=status,
    )
    # Both events are in the account's mode: `record` reads it from the account.
    record(state, "capability.updated", capability, account=account, previous={"status": before})
    record(
        state, "account.updated", acct, account=account, previous={"capabilities": {name: before}}
    )
    return json_response(render(capability))


async def source_expiring(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    customer = state.objects.get(request.match_info["customer"])
    if customer is None or customer.get("object") != "customer":
        return json_response({"error": "no such customer"}, 404)
    default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    method = state.objects.get(str(default))
    if method is None or not method.get("card"):
        return json_response({"error": "the customer has no default card"}, 400)
    details = method["card"]
    body: dict[str, Any] = await request.json() if request.can_read_body else {}
    card = skeleton("card")
    for key in list(card):
        if key.startswith("address_") or key in ("cvc_check", "dynamic_last4", "name"):
            card[key] = None
    card.update(
        id=new_id("card"),
        # A Card's brand is capitalized ("Visa"), unlike a PaymentMethod's card.brand ("visa").
        brand=str(details["brand"]).title(),
        country=details.get("country"),
        customer=customer["id"],
        exp_month=int(body.get("exp_month", details["exp_month"])),
        exp_year=int(body.get("exp_year", details["exp_year"])),
        fingerprint=details.get("fingerprint"),
        funding=details.get("funding"),
        last4=details["last4"],
        metadata={},
        tokenization_method=None,
    )
    event = record(
        state,
        "customer.source.expiring",
        card,
        account=state.owner(customer["id"]),
        livemode=bool(customer.get("livemode")),
    )
    return json_response(render(event["data"]["object"]))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/accounts/{acct}/capabilities/{capability}", update_capability)
    app.router.add_post("/_fake/customers/{customer}/source_expiring", source_expiring)
