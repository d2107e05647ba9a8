"""Stripe clients: one async client for the API, one synchronous one for Connect OAuth.

stripe-python's OAuth calls (`client.oauth.token`, `deauthorize`) are synchronous only, so they
get their own client with a blocking HTTP client, and callers run them with `asyncio.to_thread`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import stripe
from stripe._base_address import BaseAddresses  # the TypedDict StripeClient takes

from bot.config import Settings

# The Stripe API version connectbot is written for: stripe-python 16's pin, whose typed objects
# connectbot reads. Every API request says so (Stripe-Version), whatever the account's default;
# a webhook endpoint on another version is handled by reading objects fresh (stripe_ops/
# event_objects.py). tests/e2e/handlers/test_api_versions.py fails when stripe-python pins
# another one.
API_VERSION = "2026-10-28.endive"

# Retries are safe: stripe-python sends the same Idempotency-Key on every retry of a POST.
NETWORK_RETRIES = 2
TIMEOUT_SECONDS = 20.0
# The OAuth client never retries by itself. stripe-python retries a POST after a timeout, a
# dropped connection, a 409 or a 5xx (`_http_client.py` `_should_retry`) with an Idempotency-Key,
# but Connect OAuth (connect.stripe.com) documents no idempotency: a resent authorization code
# that Stripe had already exchanged is `invalid_grant` and revokes the connection it made.
# Calls that are safe to repeat ask for retries themselves (`deauthorize`).
OAUTH_NETWORK_RETRIES = 0
OAUTH_TIMEOUT_SECONDS = 20.0


#: Told of every API request attempt: (method, url, HTTP status or None for no answer, seconds).
RequestObserver = Callable[[str, str, "int | None", float], None]


class _ObservedHTTPClient(stripe.AIOHTTPClient):
    """stripe-python's aiohttp client, telling `observe` about each attempt (retries too)."""

    def __init__(self, *, observe: RequestObserver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observe = observe

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        started = time.perf_counter()
        try:
            answer = await super().request_async(method, url, headers, post_data)
        except stripe.APIConnectionError:
            self._observe(method, url, None, time.perf_counter() - started)
            raise
        self._observe(method, url, answer[1], time.perf_counter() - started)
        return answer


@dataclass(frozen=True)
class StripeConnection:
    """The API client (async, aiohttp) and the OAuth client (blocking, no automatic retries)."""

    api: stripe.StripeClient
    oauth: stripe.StripeClient


def connect_stripe(
    settings: Settings,
    *,
    session: aiohttp.ClientSession,
    observe: RequestObserver | None = None,
) -> StripeConnection:
    """Both clients against `STRIPE_API_BASE` / `STRIPE_CONNECT_BASE`.

    The API client sends through `session`, which the caller owns and closes, and tells
    `observe` about every request it sends (the OAuth client does not).
    """
    bases: BaseAddresses = {
        "api": settings.stripe_api_base,
        "connect": settings.stripe_connect_base,
    }
    http = (
        stripe.AIOHTTPClient(timeout=TIMEOUT_SECONDS, session=session)
        if observe is None
        else _ObservedHTTPClient(observe=observe, timeout=TIMEOUT_SECONDS, session=session)
    )
    api = stripe.StripeClient(
        settings.stripe_secret_key,
        client_id=settings.stripe_client_id,
        base_addresses=bases,
        max_network_retries=NETWORK_RETRIES,
        http_client=http,
        stripe_version=API_VERSION,
    )
    oauth = stripe.StripeClient(
        settings.stripe_secret_key,
        client_id=settings.stripe_client_id,
        base_addresses=bases,
        max_network_retries=OAUTH_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=OAUTH_TIMEOUT_SECONDS),
    )
    return StripeConnection(api=api, oauth=oauth)
