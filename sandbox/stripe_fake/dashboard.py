"""Control routes (not Stripe's) for what a vendor does in its own Stripe Dashboard.

``POST /_fake/accounts/{account}/dashboard_refund`` ``{"charge": "ch_…", "amount": 500}``
(``amount`` optional: everything that remains) refunds a charge on the connected account as
the account itself would, not as the platform: the refund, its balance transaction and the
``refund.created`` / ``charge.refunded`` events on that account, as an API refund makes them,
and no application fee refund. A refund the connected account makes does not refund the
platform's fee ("An application fee can be refunded only by the application that created the
charge", stripe-python ``RefundCreateParams.refund_application_fee``; "Application fees aren't
automatically refunded when issuing a refund", docs.stripe.com/connect/saas/tasks/
refunds-disputes); the platform may refund it with ``POST /v1/application_fees/{id}/refunds``.
Answers the refund, or Stripe's error body with its status.

``POST /_fake/accounts/{account}/dashboard_charge`` ``{"amount": 2500, "currency": "usd",
"card": "pm_card_chargeDeclined", "description": …}`` is a payment the vendor takes in its own
Dashboard ("Create payment"), not through the platform: a PaymentIntent on the account confirmed
with a Stripe test card, with no application fee and no metadata, making the same objects and
events an API payment does (``charge.failed`` and ``payment_intent.payment_failed`` for a
declined card). Answers the PaymentIntent (declined or not).
"""

from __future__ import annotations

from aiohttp import web

from .api import Ctx, account_and_body, base_url, json_response
from .errors import StripeError
from .payments import create_payment_intent
from .refunds import make_refund
from .store import STATE_KEY, new_id, render


async def dashboard_refund(request: web.Request) -> web.Response:
    found = await account_and_body(request, "account")
    if isinstance(found, web.Response):
        return found
    state, account, body = found
    request_id = new_id("req", 14)
    try:
        charge = state.get(str(body.get("charge")), account, "charge", param="charge")
        ctx = Ctx(
            state=state,
            account=account,
            params={},
            args=[],
            livemode=bool(charge["livemode"]),
            request_id=request_id,
            base_url=base_url(request),
        )
        refund = make_refund(
            ctx,
            charge,
            body.get("amount"),
            refund_application_fee=False,
            metadata={},
            reason=body.get("reason"),
        )
    except (TypeError, ValueError):
        return json_response({"error": "amount must be a whole number of minor units"}, 400)
    except StripeError as exc:
        return json_response(exc.body(request_id), exc.status, request_id)
    return json_response(render(refund), request_id=request_id)


async def dashboard_delete_customer(request: web.Request) -> web.Response:
    """``POST /_fake/customers/{customer}/dashboard_delete``: the platform deletes a customer in
    its Dashboard. Afterwards Stripe answers requests naming it with 404 ``resource_missing``,
    "No such customer: 'cus_…'" (the store's wording). Approximation: Stripe's retrieve of a
    deleted customer answers ``{"id": …, "object": "customer", "deleted": true}``
    (docs.stripe.com/api/customers/delete); the fake forgets it, so a retrieve is a 404 too."""
    state = request.app[STATE_KEY]
    customer = request.match_info["customer"]
    obj = state.objects.get(customer)
    if obj is None or obj.get("object") != "customer":
        return json_response({"error": "no such customer"}, 404)
    del state.objects[customer]
    return json_response({"id": customer, "object": "customer", "deleted": True})


async def dashboard_charge(request: web.Request) -> web.Response:
    found = await account_and_body(request, "account")
    if isinstance(found, web.Response):
        return found
    state, account, body = found
    request_id = new_id("req", 14)
    params = {
        "amount": str(body.get("amount", 2500)),
        "currency": str(body.get("currency", "usd")),
        "payment_method": str(body.get("card", "pm_card_visa")),
        "confirm": "true",
    }
    if body.get("description"):
        params["description"] = str(body["description"])
    ctx = Ctx(
        state=state,
        account=account,
        params=params,
        args=[],
        livemode=False,
        request_id=request_id,
        base_url=base_url(request),
    )
    try:
        intent = create_payment_intent(ctx)
    except StripeError as exc:
        declined = (exc.extra or {}).get("payment_intent")
        if declined is None:
            return json_response(exc.body(request_id), exc.status, request_id)
        intent = declined
    return json_response(intent, request_id=request_id)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/accounts/{account}/dashboard_charge", dashboard_charge)
    app.router.add_post("/_fake/customers/{customer}/dashboard_delete", dashboard_delete_customer)
    app.router.add_post("/_fake/accounts/{account}/dashboard_refund", dashboard_refund)
