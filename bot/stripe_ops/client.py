"""Stripe clients: one async client for the API, one synchronous one for Connect OAuth.

stripe-python's OAuth calls (`client.oauth.token`, `deauthorize`) are synchronous only, so they
get their own client with a blocking HTTP client, and callers run them with `asyncio.to_thread`.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import stripe
from stripe._base_address import BaseAddresses  # the TypedDict StripeClient takes

from bot.config import Settings

# Retries are safe: stripe-python sends the same Idempotency-Key on every retry of a POST.
NETWORK_RETRIES = 2
TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class StripeConnection:
    """The API client (async, aiohttp) and the OAuth client (blocking)."""

    api: stripe.StripeClient
    oauth: stripe.StripeClient


def connect_stripe(settings: Settings, *, session: aiohttp.ClientSession) -> StripeConnection:
    """Both clients against `STRIPE_API_BASE` / `STRIPE_CONNECT_BASE`.

    The API client sends through `session`, which the caller owns and closes.
    """
    bases: BaseAddresses = {
        "api": settings.stripe_api_base,
        "connect": settings.stripe_connect_base,
    }
    http = stripe.AIOHTTPClient(timeout=TIMEOUT_SECONDS, session=session)
    api = stripe.StripeClient(
        settings.stripe_secret_key,
        client_id=settings.stripe_client_id,
        base_addresses=bases,
        max_network_retries=NETWORK_RETRIES,
        http_client=http,
    )
    oauth = stripe.StripeClient(
        settings.stripe_secret_key,
        client_id=settings.stripe_client_id,
        base_addresses=bases,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )
    return StripeConnection(api=api, oauth=oauth)
