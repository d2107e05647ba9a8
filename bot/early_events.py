"""Events that arrive before what they refer to.

Stripe sends events in no guaranteed order, and may send one before connectbot has recorded
the answer to its own request (a refund of a charge whose success is not yet recorded, a
dispute of a charge whose PaymentIntent id is not yet known). A handler that meets such an
event raises `NotYetKnown`; the event processor then handles the event again later, with its
usual backoff, logging a wait rather than a failure. Only once the processor's bound of
attempts is reached does the event count as failed (and show in /healthz).

A handler that could not read what it needs from Stripe (a 429, a 5xx, no answer) raises
`TryAgainLater`: handled again the same way, and logged as one line, since a passing outage is
expected and a traceback in the log would only hide the failures that are not.
"""

from __future__ import annotations


class NotYetKnown(Exception):
    """What the event refers to (its parent) is not recorded yet: handle the event later.

    The message says what is awaited; raising it rolls back the handler's transaction, so a
    handler raises it before changing anything it would not want rolled back.
    """


class TryAgainLater(Exception):
    """Stripe could not be read just now: handle the event again later (same backoff and bound
    as `NotYetKnown`); the message says what could not be read."""
