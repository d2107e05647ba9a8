"""What each fault kind does to a request (the control route ``POST /_fake/faults`` sets them).

Where a fault strikes decides what Stripe's idempotency layer keeps (see ``idempotency.py``:
results are saved only once an endpoint began executing):

* ``500`` and ``429``: answered in front of the API, before authentication and the idempotency
  layer; nothing runs and nothing is saved, so a retry with the same key executes normally.
* ``timeout``: the endpoint is slow: the request holds its idempotency key while it hangs (a
  retry meanwhile gets 409 ``idempotency_key_in_use``), then executes and saves as usual.
* ``drop``: the endpoint runs and its result is saved, then the connection is closed unanswered.
* ``500_after_commit``: the endpoint runs and commits, then answers 500 ``api_error``, and that
  500 is the result saved under the key: every retry with the key replays the 500 ("Retries with
  the same key return the saved response, including 500 errors", API reference, "Idempotent
  requests"), until the key is pruned 24 hours later.
* ``decline``: the endpoint runs, and the card issuer declines the payment it confirms
  (``card_declined`` / ``generic_decline``, as test card 4000000000000002), on a card that
  succeeds otherwise; the decline is saved under the key like any result (payments.py).

A fault may name an ``account``: then only requests made with that ``Stripe-Account`` match
(one vendor's charge fails while another's, the same instant, goes through).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .errors import StripeError
from .store import Fault, State

KINDS = ("500", "429", "timeout", "drop", "500_after_commit", "decline")

_API_ERROR = "An unknown error occurred on Stripe's end."


def raise_fault_in_front(fault: Fault | None) -> None:
    """Raise the 500 or 429 of a fault that strikes before the API runs anything."""
    if fault is None:
        return
    if fault.kind == "500":
        raise StripeError(500, "api_error", _API_ERROR)
    if fault.kind == "429":
        raise StripeError(
            429,
            "invalid_request_error",
            "Request rate limit exceeded. Learn more about rate limits here "
            "https://stripe.com/docs/rate-limits.",
            code="rate_limit",
            headers={"Retry-After": "1"},
        )


async def hang_while_executing(state: State, fault: Fault | None) -> None:
    """A ``timeout`` fault: wait ``seconds`` (or until the fake shuts down)."""
    if fault is None or fault.kind != "timeout":
        return
    with contextlib.suppress(TimeoutError):  # asyncio.timeout: cancellation-safe
        async with asyncio.timeout(fault.seconds):
            await state.shutdown.wait()


def answer_after_commit(
    fault: Fault | None, status: int, body: Any, request_id: str
) -> tuple[int, Any]:
    """The answer to send (and save) once the endpoint ran: a 500 for ``500_after_commit``."""
    if fault is not None and fault.kind == "500_after_commit":
        return 500, StripeError(500, "api_error", _API_ERROR).body(request_id)
    return status, body
