"""Stripe failures that pass by themselves: no answer, a 5xx, a 429. Whoever meets one retries
later (with the same idempotency key where it matters) instead of treating it as a bug."""

from __future__ import annotations

import stripe

TRANSIENT = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


def is_transient(exc: BaseException) -> bool:
    """True for an error that retrying later can fix; False for everything else."""
    return isinstance(exc, TRANSIENT)
