"""Stripe event handlers, one module per concern; each exposes `register(handlers)`."""

from __future__ import annotations

from bot.handlers import (
    accounts,
    cards,
    checkout,
    disputes,
    fees,
    notify,
    payment_alerts,
    payments,
    payouts,
    refunds,
)
from bot.stripe_events import EventHandlers


def build_event_handlers() -> EventHandlers:
    handlers = EventHandlers()
    for module in (
        payouts,
        accounts,
        checkout,
        payments,
        refunds,
        disputes,
        fees,
        payment_alerts,
        cards,
    ):
        module.register(handlers)
    notify.register(handlers)  # every event, after the handlers of its type
    return handlers
