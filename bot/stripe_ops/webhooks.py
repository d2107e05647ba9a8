"""Stripe webhooks: signature verification and the registry of event handlers.

`verify_event` checks `Stripe-Signature` on the raw body with stripe-python against each
configured secret (platform and Connect endpoints), with Stripe's 300-second tolerance.
Handlers are registered per event type on an `EventHandlers` and run later, after the webhook
has been answered, each in its own transaction (see `bot/event_processor.py`), on the event's
object at the API version connectbot is written for (`event_objects.at_api_version`).

A handler that needs Stripe registers a `prepare` hook: it runs before the transaction opens
(no Stripe call may hold the database's write lock) and its result reaches the handler as
`ctx.prepared`. The event may be prepared again on a retry, or prepared and then skipped
(another process handled it meanwhile), so a hook only reads, or makes Stripe changes that are
idempotent (keyed by the event id); everything the database keeps is written by the handler.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.event_objects import at_api_version

TOLERANCE_SECONDS = 300
WEBHOOK_PATH = "/stripe/webhook"  # both endpoints, platform and Connect, send here


def verify_event(
    payload: bytes, signature: str | None, *, secrets: list[str], livemode: bool
) -> dict[str, Any] | Refusal:
    """The event, when `signature` is valid for `payload` under one of `secrets`; else why not,
    for the sender (answered with a 400 and logged; the secret never appears in it).

    Refuses: no secret configured, missing or malformed header, wrong signature, a timestamp
    outside the tolerance, a body that is not an event, and an event whose mode (test/live)
    differs from the platform key's.
    """
    if not secrets:
        return Refusal("no webhook signing secret is configured")
    if not signature:
        return Refusal("missing Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal("body is not UTF-8")
    last_error = "signature does not match"
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(text, signature, secret, TOLERANCE_SECONDS)
            break
        except stripe.SignatureVerificationError as exc:
            last_error = str(exc.user_message or "signature does not match")
    else:
        return Refusal(last_error)
    try:
        event = json.loads(text)
    except ValueError:
        return Refusal("body is not JSON")
    if not _looks_like_event(event):
        return Refusal("body is not a Stripe event")
    if bool(event.get("livemode")) != livemode:
        mode = "live" if event.get("livemode") else "test"
        return Refusal(
            f"{mode}-mode event refused by a {'live' if livemode else 'test'}-mode server"
        )
    result: dict[str, Any] = event
    return result


def _looks_like_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and event.get("object") == "event"
        and isinstance(event.get("id"), str)
        and event["id"].startswith("evt_")
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    )


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

    def types(self) -> set[str]:
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
        `prepare` for this event); False when none is registered (the event is ignored)."""
        handlers = self._by_type.get(ctx.type, [])
        for (handler, _), result in zip(handlers, prepared.results, strict=True):
            await handler(replace(ctx, event=prepared.event, prepared=result))
        return bool(handlers)
