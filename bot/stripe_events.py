"""The registry of Stripe event handlers: which handlers run for an event type, and how.

Handlers are registered per event type on an `EventHandlers` and run later, after the webhook
has been answered (`bot/web/stripe_webhook.py` stores the event), each in its own transaction
(see `bot/event_processor.py`), on the event's object at the API version connectbot is written
for (`bot.stripe_ops.event_objects.at_api_version`).

A handler that needs Stripe registers a `prepare` hook: it runs before the transaction opens
(no Stripe call may hold the database's write lock) and its result reaches the handler as
`ctx.prepared`. The event may be prepared again on a retry, or prepared and then skipped
(another process handled it meanwhile), so a hook only reads, or makes Stripe changes that are
idempotent (keyed by the event id); everything the database keeps is written by the handler.

Besides the handlers of a type, handlers of every event (`on_every_event`: `/notify`'s
announcements of the types admins chose) run after them, in the same transaction, on the event
as read for the type's handlers (as delivered when it has none); they have no `prepare` step.

It sits below the entry points that use it (`bot/handlers/` registers, the event processor
dispatches), so neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from bot.stripe_ops.event_objects import at_api_version


@dataclass(frozen=True)
class EventContext:
    """What a handler gets: its transaction, the services, the stored event, and what the
    handler's `prepare` hook returned before the transaction (None without a hook)."""

    session: AsyncSession
    services: Services
    event: dict[str, Any]
    prepared: Any = None

    @property
    def id(self) -> str:
        return str(self.event["id"])

    @property
    def type(self) -> str:
        return str(self.event["type"])

    @property
    def object(self) -> dict[str, Any]:
        obj: dict[str, Any] = self.event["data"]["object"]
        return obj

    @property
    def account(self) -> str | None:
        """The connected account the event happened on; None for platform events."""
        account = self.event.get("account")
        return str(account) if account else None


EventHandler = Callable[[EventContext], Awaitable[None]]
#: Runs outside any transaction with the services and the event (at connectbot's API version).
Prepare = Callable[[Services, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class PreparedEvent:
    """An event read at connectbot's API version, and each handler's `prepare` result."""

    event: dict[str, Any]
    results: tuple[Any, ...]


class EventHandlers:
    """Handlers by event type. A handler must be safe to re-run: effects keyed, not counted."""

    def __init__(self) -> None:
        self._by_type: dict[str, list[tuple[EventHandler, Prepare | None]]] = {}
        self._every: list[EventHandler] = []

    def on(
        self, *types: str, prepare: Prepare | None = None
    ) -> Callable[[EventHandler], EventHandler]:
        """Register a handler for `types`; `prepare`, when given, runs before the handler's
        transaction and its result is the handler's `ctx.prepared`."""

        def register(handler: EventHandler) -> EventHandler:
            for event_type in types:
                self._by_type.setdefault(event_type, []).append((handler, prepare))
            return handler

        return register

    def on_every_event(self, handler: EventHandler) -> EventHandler:
        """Register a handler that runs for every event, after the handlers of its type (it
        reads no Stripe: no `prepare`). It must be cheap: every stored event meets it."""
        self._every.append(handler)
        return handler

    def types(self) -> set[str]:
        """The event types with handlers of their own (not counting `on_every_event`'s)."""
        return set(self._by_type)

    async def prepare(self, services: Services, event: dict[str, Any]) -> PreparedEvent:
        """Everything the event's handlers need from Stripe; call it outside any transaction.

        The event's object is read at connectbot's API version (an event rendered at another
        one is read fresh from Stripe), then each handler's `prepare` hook runs. Raises what
        Stripe raises (the event is retried); an event nobody handles costs no Stripe call.
        """
        handlers = self._by_type.get(str(event["type"]), [])
        if not handlers:
            return PreparedEvent(event, ())
        event = await at_api_version(services.stripe, event)
        results = [None if hook is None else await hook(services, event) for _, hook in handlers]
        return PreparedEvent(event, tuple(results))

    async def dispatch(self, ctx: EventContext, prepared: PreparedEvent) -> bool:
        """Run every handler for the event's type in `ctx`'s transaction, on `prepared` (from
        `prepare` for this event), then the handlers of every event; False when the type has
        no handler of its own."""
        handlers = self._by_type.get(ctx.type, [])
        for (handler, _), result in zip(handlers, prepared.results, strict=True):
            await handler(replace(ctx, event=prepared.event, prepared=result))
        for every in self._every:
            await every(replace(ctx, event=prepared.event))
        return bool(handlers)
