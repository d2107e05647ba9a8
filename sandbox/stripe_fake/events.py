"""Events and webhook endpoints: recorded for every state change, listed under /v1/events,
delivered to the endpoints (``delivery``), which are listed under /v1/webhook_endpoints.

An event on a connected account (it carries ``account``) is owed to the Connect endpoint, any
other to the account endpoint (https://docs.stripe.com/connect/webhooks); see
``webhook_state.Endpoint.wants`` for the rest of the rule.
"""

from __future__ import annotations

import time

from .api import Ctx, Json, api, list_object, matching
from .delivery import deliver_forever, flush, sign, summarize
from .errors import StripeError
from .store import State, new_id, render
from .versions import CURRENT, check_renderable, embedded
from .webhook_state import Endpoint

__all__ = ["deliver_forever", "emit", "emit_on", "endpoints", "flush", "record", "sign"]


def record(
    state: State,
    type_: str,
    obj: Json,
    *,
    account: str | None,
    livemode: bool | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    previous: Json | None = None,
) -> Json:
    """Record an event with a snapshot of ``obj`` (and of what older API versions embed in it),
    and a delivery for each endpoint that wants it; connected-account events carry ``account``.
    ``livemode`` defaults to the object's own (else its account's): an event is in the mode of
    what it is about, so a caller cannot forget it.
    """
    if livemode is None:
        owner = state.objects.get(account) if account else None
        livemode = bool(obj.get("livemode", (owner or {}).get("_livemode", False)))
    data: Json = {"object": render(obj)}
    if previous is not None:
        data["previous_attributes"] = previous
    event: Json = {"id": new_id("evt"), "object": "event"}
    if account is not None:
        event["account"] = account
    event.update(
        {
            "api_version": CURRENT,
            "created": state.clock.now(),
            "data": data,
            "livemode": livemode,
            "pending_webhooks": 0,
            "request": {"id": request_id, "idempotency_key": idempotency_key},
            "type": type_,
            "_embedded": {o["id"]: render(o) for o in embedded(obj, state.objects.values())},
        }
    )
    state.put(event, account)
    state.events.append(event)
    now = state.clock.time()
    for endpoint in state.webhooks.endpoints:
        if endpoint.wants(type_, account, livemode):
            state.webhooks.add_delivery(event["id"], endpoint, type_, now=now, livemode=livemode)
    summarize(state, event)
    state.wake.set()
    return event


def emit(ctx: Ctx, type_: str, obj: Json, *, previous: Json | None = None) -> Json:
    """Record an event caused by the API request ``ctx``, on the request's account."""
    return emit_on(ctx, ctx.account, type_, obj, previous=previous)


def emit_on(
    ctx: Ctx, account: str | None, type_: str, obj: Json, *, previous: Json | None = None
) -> Json:
    """Record an event caused by the API request ``ctx``, on ``account``."""
    return record(
        ctx.state,
        type_,
        obj,
        account=account,
        livemode=ctx.livemode,
        request_id=ctx.request_id,
        idempotency_key=ctx.idempotency_key,
        previous=previous,
    )


def endpoints(
    *,
    webhook_url: str | None,
    webhook_secret: str | None,
    connect_webhook_url: str | None,
    connect_webhook_secret: str | None,
    api_version: str,
) -> list[Endpoint]:
    """The account endpoint (when a URL and secret are given) and the Connect endpoint (its own
    URL and secret, each defaulting to the account endpoint's); ValueError for an API version
    the fake cannot render."""
    check_renderable(api_version)
    found: list[Endpoint] = []
    connect_url = connect_webhook_url or webhook_url
    connect_secret = connect_webhook_secret or webhook_secret
    for url, secret, connect in (
        (webhook_url, webhook_secret, False),
        (connect_url, connect_secret, True),
    ):
        if url and secret:
            found.append(
                Endpoint(new_id("we"), url, secret, connect, api_version, int(time.time()))
            )
    return found


@api("GET", "/v1/events")
def list_events(ctx: Ctx) -> Json:
    items = matching(ctx, ctx.state.all("event", ctx.account), "type")
    return list_object(ctx, "/v1/events", items)


@api("GET", "/v1/events/{id}")
def retrieve_event(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "event"))


def _owned(ctx: Ctx) -> list[Endpoint]:
    # Both endpoints belong to the platform: a request on a connected account sees none.
    return [] if ctx.account is not None else list(reversed(ctx.state.webhooks.endpoints))


@api("GET", "/v1/webhook_endpoints")
def list_webhook_endpoints(ctx: Ctx) -> Json:
    return list_object(ctx, "/v1/webhook_endpoints", [e.render() for e in _owned(ctx)])


@api("GET", "/v1/webhook_endpoints/{webhook_endpoint}")
def retrieve_webhook_endpoint(ctx: Ctx) -> Json:
    found = next((e for e in _owned(ctx) if e.id == ctx.args[0]), None)
    if found is None:
        # Stripe's "No such <object>: '<id>'" (as store.State.get words it).
        raise StripeError(
            404,
            "invalid_request_error",
            f"No such webhook endpoint: '{ctx.args[0]}'",
            code="resource_missing",
            param="id",
        )
    return found.render()
