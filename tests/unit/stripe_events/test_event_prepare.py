"""`EventHandlers`: a handler's `prepare` hook runs before its transaction, and its result is
what that handler (and no other) sees as `ctx.prepared`."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from bot.services import Services
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.client import API_VERSION


def _event(event_type: str) -> dict[str, Any]:
    # At connectbot's API version, so reading it needs no Stripe call.
    return {
        "id": "evt_1",
        "type": event_type,
        "api_version": API_VERSION,
        "data": {"object": {"object": "checkout.session", "id": "cs_1"}},
    }


async def test_each_handler_gets_what_its_own_hook_prepared() -> None:
    handlers = EventHandlers()
    services = cast(Services, SimpleNamespace(stripe=None))
    calls: list[str] = []
    seen: dict[str, Any] = {}

    async def hook(given: Services, event: dict[str, Any]) -> str:
        assert given is services
        calls.append(event["id"])
        return "prepared for " + event["id"]

    async def with_hook(ctx: EventContext) -> None:
        seen["with_hook"] = ctx.prepared

    async def without_hook(ctx: EventContext) -> None:
        seen["without_hook"] = ctx.prepared

    handlers.on("checkout.session.completed", prepare=hook)(with_hook)
    handlers.on("checkout.session.completed")(without_hook)

    prepared = await handlers.prepare(services, _event("checkout.session.completed"))
    assert calls == ["evt_1"]  # before any transaction, once
    ctx = EventContext(
        session=cast(Any, None), services=services, event=_event("checkout.session.completed")
    )
    assert await handlers.dispatch(ctx, prepared)
    assert seen == {"with_hook": "prepared for evt_1", "without_hook": None}
    assert calls == ["evt_1"]  # dispatching does not prepare again


async def test_an_event_nobody_handles_is_not_prepared() -> None:
    handlers = EventHandlers()
    calls: list[str] = []

    async def hook(services: Services, event: dict[str, Any]) -> None:
        calls.append(event["id"])

    async def handler(ctx: EventContext) -> None:
        raise AssertionError("not this type")

    handlers.on("checkout.session.completed", prepare=hook)(handler)
    services = cast(Services, SimpleNamespace(stripe=None))
    event = _event("customer.created")
    prepared = await handlers.prepare(services, event)
    ctx = EventContext(session=cast(Any, None), services=services, event=event)
    assert not await handlers.dispatch(ctx, prepared)
    assert calls == []
