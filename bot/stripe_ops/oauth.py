"""Connect OAuth (PRODUCT.md §3): the authorize link, the code exchange, deauthorization.

stripe-python's OAuth calls are blocking, so they run in a thread off the event loop. No
access or refresh token leaves this module: connectbot acts for a vendor with the platform key
and the `Stripe-Account` header, so it keeps only the account id, livemode and scope.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import stripe
from stripe import oauth_error

from bot.config import Settings
from bot.stripe_ops.client import StripeConnection

log = logging.getLogger(__name__)

CALLBACK_PATH = "/stripe/oauth/callback"


@dataclass(frozen=True)
class Connection:
    """What a successful code exchange tells us about the vendor's account."""

    account_id: str
    livemode: bool
    scope: str | None


@dataclass(frozen=True)
class RejectedCode:
    """Stripe refused the code (`invalid_grant`: reused, expired, or never issued)."""

    reason: str


@dataclass(frozen=True)
class StripeUnavailable:
    """Stripe could not be reached or answered with an error not caused by the person."""

    reason: str


def authorize_url(settings: Settings, *, state: str, email: str | None) -> str:
    """The "Connect with Stripe" link for a Standard account, `read_write` scope."""
    params = {
        "response_type": "code",
        "client_id": settings.stripe_client_id,
        "scope": "read_write",
        "redirect_uri": settings.public_url + CALLBACK_PATH,
        "state": state,
    }
    if email:
        params["stripe_user[email]"] = email
    return f"{settings.stripe_connect_base}/oauth/authorize?{urlencode(params)}"


async def exchange_code(
    stripe_connection: StripeConnection, code: str
) -> Connection | RejectedCode | StripeUnavailable:
    """Exchange an authorization code for the connected account's id (POST /oauth/token).

    Refuses with `RejectedCode` on `invalid_grant`, `StripeUnavailable` on network, 5xx and
    any other Stripe error. Never returns or stores the access token.
    """

    def call() -> stripe.OAuth.OAuthToken:
        return stripe_connection.oauth.oauth.token(
            params={"grant_type": "authorization_code", "code": code}
        )

    try:
        token = await asyncio.to_thread(call)
    except oauth_error.InvalidGrantError as exc:
        return RejectedCode(str(exc.user_message or exc.code or "invalid_grant"))
    except stripe.StripeError as exc:
        log.warning("Connect OAuth token exchange failed: %s", exc)
        return StripeUnavailable(type(exc).__name__)
    account = str(token.stripe_user_id or "")
    if not account.startswith("acct_"):
        return StripeUnavailable("no account id in Stripe's answer")
    return Connection(account, bool(token.livemode), token.scope)


async def deauthorize(
    stripe_connection: StripeConnection, account_id: str
) -> bool | StripeUnavailable:
    """Disconnect the platform from `account_id` (POST /oauth/deauthorize).

    True when Stripe confirms; False when Stripe says the account is not connected to this
    platform any more (already disconnected: the caller may still record it);
    `StripeUnavailable` otherwise.
    """

    def call() -> object:
        return stripe_connection.oauth.oauth.deauthorize(params={"stripe_user_id": account_id})

    try:
        await asyncio.to_thread(call)
    except oauth_error.InvalidClientError:
        return False
    except stripe.StripeError as exc:
        log.warning("Connect OAuth deauthorization of %s failed: %s", account_id, exc)
        return StripeUnavailable(type(exc).__name__)
    return True
