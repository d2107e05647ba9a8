"""The handler registry's prepare step: run before the transaction, its result in the handler."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from bot.services import Services
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.client import API_VERSION

SERVICES = cast(Services, SimpleNamespace(stripe=None))  # events at API_VERSION: no Stripe read


def _event(event_type: str = "account.updated") -> dict[str, Any]:
    return {
        "id": "evt_1",
        "object": "event",
        "type": event_type,
        "api_version": API_VERSION,
        "account": "acct_1",
        "data": {"object": {"object": "account", "id": "acct_1"}},
    }


async def test_each_handler_gets_its_own_prepare_result() -> None:
    handlers = EventHandlers()
    steps: list[Any] = []

    async def read(services: Services, event: dict[str, Any]) -> str:
        steps.append("prepare")
        return f"read {event['account']}"

    @handlers.on("account.updated", prepare=read)
    async def with_prepare(ctx: EventContext) -> None:
        steps.append(("handled", ctx.prepared))

    @handlers.on("account.updated")
    async def without(ctx: EventContext) -> None:
        steps.append(("handled", ctx.prepared))

    prepared = await handlers.prepare(SERVICES, _event())
    assert steps == ["prepare"]  # nothing handled before the transaction
    ctx = EventContext(session=cast(Any, None), services=SERVICES, event=_event())
    assert await handlers.dispatch(ctx, prepared)
    assert steps == ["prepare", ("handled", "read acct_1"), ("handled", None)]


async def test_an_event_without_handlers_is_not_prepared_and_is_ignored() -> None:
    handlers = EventHandlers()
    event = _event("customer.created")
    prepared = await handlers.prepare(SERVICES, event)
    assert prepared.results == ()
    ctx = EventContext(session=cast(Any, None), services=SERVICES, event=event)
    assert not await handlers.dispatch(ctx, prepared)


async def test_a_failing_prepare_step_raises_before_any_handler_runs() -> None:
    handlers = EventHandlers()
    handled: list[str] = []

    async def unreachable(services: Services, event: dict[str, Any]) -> None:
        raise RuntimeError("Stripe is away")

    @handlers.on("account.updated", prepare=unreachable)
    async def handler(ctx: EventContext) -> None:
        handled.append(ctx.id)

    with pytest.raises(RuntimeError):
        await handlers.prepare(SERVICES, _event())
    assert handled == []


async def test_every_event_handlers_run_after_the_types_own_and_alone_without_a_stripe_read() -> (
    None
):
    """`/notify`'s announcements: after the handlers of the type, on the event they read; for
    a type without handlers, on the event as delivered (no `prepare`: `stripe` is None here,
    any read would fail); `types()` does not count them."""
    handlers = EventHandlers()
    steps: list[Any] = []

    @handlers.on("account.updated")
    async def own(ctx: EventContext) -> None:
        steps.append(("own", ctx.type))

    @handlers.on_every_event
    async def every(ctx: EventContext) -> None:
        steps.append(("every", ctx.type, ctx.id))

    assert handlers.types() == {"account.updated"}
    for event_type, has_own in (("account.updated", True), ("customer.created", False)):
        event = {**_event(event_type), "api_version": "2019-01-01"}  # another version…
        if has_own:
            event = _event(event_type)  # …only where a handler of its own would read Stripe
        prepared = await handlers.prepare(SERVICES, event)
        ctx = EventContext(session=cast(Any, None), services=SERVICES, event=event)
        assert await handlers.dispatch(ctx, prepared) is has_own
    assert steps == [
        ("own", "account.updated"),
        ("every", "account.updated", "evt_1"),
        ("every", "customer.created", "evt_1"),
    ]
