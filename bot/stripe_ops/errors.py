"""Sorting Stripe's errors, once for every Stripe call.

Every call that can fail meets the same four kinds of error, and each calls for its own action:

* `no_answer`: no final answer (no response, a 5xx, a 429, a 409 from a concurrent request
  under the same idempotency key). The request may or may not have run; retrying later, with
  the same key where it matters, tells. `replayed` marks a saved error Stripe replayed under
  the key (`bot.stripe_ops.keys`): the request did run, and only a lookup can tell more.
* `missing`: `resource_missing`: the object was deleted in the Dashboard or belongs to other
  keys; retrying cannot bring it back.
* `forbidden`: a permission or authentication error, e.g. the vendor revoked the platform.
* `refused`: Stripe refused the request (any other 4xx); nothing was done.

Only sorts: the wording for people is the domain's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import stripe

from bot.stripe_ops.keys import answer_was_replayed

#: Failures that pass by themselves: no answer, a 5xx, a 429.
TRANSIENT = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)

Kind = Literal["no_answer", "missing", "forbidden", "refused"]


@dataclass(frozen=True)
class Trouble:
    """What a Stripe error means: its `kind`, Stripe's own `message` (or the error's class
    name when it gave none) and whether the answer was `replayed` under the idempotency key."""

    kind: Kind
    message: str
    code: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class StripeUnavailable:
    """A call's outcome when Stripe could not be reached or answered with an error not caused
    by the person (logged where it happened); `reason` is for logs and audit entries."""

    reason: str


def is_transient(exc: BaseException) -> bool:
    """True for an error that retrying later can fix; False for everything else."""
    return isinstance(exc, TRANSIENT)


def triage(exc: stripe.StripeError) -> Trouble:
    """Sort `exc` into one of the four kinds above; never raises."""
    body = error_body(exc)
    code = body.get("code") or exc.code
    message = str(body.get("message") or exc.user_message or type(exc).__name__)
    if is_transient(exc) or exc.http_status == 409 or (exc.http_status or 0) >= 500:
        return Trouble("no_answer", message, code, replayed=answer_was_replayed(exc))
    if isinstance(exc, stripe.InvalidRequestError) and code == "resource_missing":
        return Trouble("missing", message, code)
    if isinstance(exc, stripe.PermissionError | stripe.AuthenticationError):
        return Trouble("forbidden", message, code)
    return Trouble("refused", message, code)


def error_body(exc: stripe.StripeError) -> dict[str, Any]:
    """The `error` object of Stripe's answer; empty when there was none."""
    body = exc.json_body if isinstance(exc.json_body, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def describe(exc: stripe.StripeError) -> str:
    """`APIError (HTTP 500)` / `APIConnectionError (no response)`: for logs and stored notes."""
    status = f"HTTP {exc.http_status}" if exc.http_status else "no response"
    return f"{type(exc).__name__} ({status})"
