"""Webhook endpoints and the deliveries owed to them: the fake's state, no I/O.

A Connect platform has two kinds of endpoint (https://docs.stripe.com/connect/webhooks):
an *account* endpoint gets "activity on your own account" (events without ``account``), a
*Connect* endpoint gets "activity on any connected account" (events with ``account``).
Whether an endpoint is a Connect one is a creation parameter (``connect=true``) that Stripe
does not return on the WebhookEndpoint object (stripe-python's ``WebhookEndpoint`` declares no
``connect`` field; stripe/stripe-dotnet#1876: "`Connect` should not be here"), so the fake keeps
it private.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal

DeliveryStatus = Literal["pending", "held", "delivered", "failed"]


@dataclass
class Endpoint:
    """One webhook endpoint, shaped like Stripe's WebhookEndpoint when rendered."""

    id: str
    url: str
    secret: str
    connect: bool
    api_version: str | None
    created: int
    enabled_events: list[str] = field(default_factory=lambda: ["*"])
    status: Literal["enabled", "disabled"] = "enabled"
    livemode: bool = False

    def wants(self, event_type: str, account: str | None, livemode: bool) -> bool:
        """Would Stripe create a delivery of this event for this endpoint now?

        Only enabled endpoints: "Stripe won't attempt to resend any events generated while the
        respective webhook endpoint is disabled" (https://docs.stripe.com/workbench/webhooks).
        Only events of the endpoint's mode (an endpoint, like every object, lives in test or
        live mode). ``['*']`` enables every event (API reference, WebhookEndpoint object).
        """
        if self.status != "enabled" or self.livemode != livemode:
            return False
        if self.connect != (account is not None):
            return False
        return "*" in self.enabled_events or event_type in self.enabled_events

    def render(self) -> dict[str, Any]:
        """The WebhookEndpoint object; ``secret`` is "Only returned at creation" (API reference)."""
        return {
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": self.api_version,
            "application": None,
            "created": self.created,
            "description": None,
            "enabled_events": list(self.enabled_events),
            "livemode": self.livemode,
            "metadata": {},
            "status": self.status,
            "url": self.url,
        }


@dataclass
class Delivery:
    """One event owed to one endpoint (a duplicate Stripe sends is a delivery of its own)."""

    seq: int
    event_id: str
    endpoint_id: str
    status: DeliveryStatus
    due: float  # on the fake's clock
    attempts: int = 0
    duplicate: bool = False
    livemode: bool = False
    last_attempt: float | None = None  # on the fake's clock


@dataclass
class DeliveryRules:
    """What tests turn on with ``POST /_fake/webhooks``; all off means in order, once each."""

    reorder: bool = False
    duplicate_rate: float = 0.0
    hold_all: bool = False
    hold_types: set[str] = field(default_factory=set)
    rng: random.Random = field(default_factory=random.Random)
    seed: int | None = None

    def holds(self, event_type: str) -> bool:
        return self.hold_all or event_type in self.hold_types

    def describe(self) -> dict[str, Any]:
        hold: str | list[str] | None = "all" if self.hold_all else sorted(self.hold_types) or None
        return {
            "reorder": self.reorder,
            "seed": self.seed,
            "duplicate_rate": self.duplicate_rate,
            "hold": hold,
        }


@dataclass
class WebhookState:
    endpoints: list[Endpoint] = field(default_factory=list)
    rules: DeliveryRules = field(default_factory=DeliveryRules)
    deliveries: list[Delivery] = field(default_factory=list)

    def reset(self) -> None:
        """Forget deliveries and rules; the endpoints (configuration) stay."""
        self.rules = DeliveryRules()
        self.deliveries = []

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.id == endpoint_id), None)

    def add_delivery(
        self,
        event_id: str,
        endpoint: Endpoint,
        event_type: str,
        *,
        now: float,
        livemode: bool,
        duplicate: bool = False,
    ) -> Delivery:
        """A new delivery, due ``now``; held when the rules hold its type (a duplicate never is)."""
        held = self.rules.holds(event_type) and not duplicate
        delivery = Delivery(
            len(self.deliveries),
            event_id,
            endpoint.id,
            "held" if held else "pending",
            now,
            duplicate=duplicate,
            livemode=livemode,
        )
        self.deliveries.append(delivery)
        return delivery
