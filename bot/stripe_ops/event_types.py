"""Every event type Stripe sends, as stripe-python declares them.

The list is read from stripe-python's typed parameters (the `enabled_events` of
`WebhookEndpointCreateParams`: "The list of events to enable for this endpoint", API reference
https://docs.stripe.com/api/webhook_endpoints/create), never copied: upgrading stripe-python
brings Stripe's new event types with it. `*` (every event) is a value of that parameter, not an
event type, and is left out.
"""

from __future__ import annotations

import typing
from typing import Final

from stripe.params import WebhookEndpointCreateParams


def _declared_event_types() -> frozenset[str]:
    """The `Literal` inside `enabled_events: List[Literal[...]]`; raises when stripe-python
    changes that shape (a start-up failure is better than accepting any text)."""
    annotation = WebhookEndpointCreateParams.__annotations__["enabled_events"]
    (literal,) = typing.get_args(annotation)
    values = typing.get_args(literal)
    if not values or not all(isinstance(value, str) for value in values):
        raise RuntimeError("stripe-python no longer lists event types in enabled_events")
    return frozenset(values) - {"*"}


#: Every event type a webhook endpoint can be sent (`payout.paid`, `customer.created`, …).
EVENT_TYPES: Final = _declared_event_types()
