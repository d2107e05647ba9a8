"""Connect OAuth: the authorize link, the code exchange, deauthorization.

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
from bot.stripe_ops.client import NETWORK_RETRIES, StripeConnection
from bot.stripe_ops.errors import StripeUnavailable

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
    """Stripe refused the code (`invalid_grant`: reused, expired, never issued, other mode).

    `reused` when Stripe said the code had already been used: it then revoked every token
    issued with it, so the account that code connected is no longer connected.
    """

    reason: str
    reused: bool = False


@dataclass(frozen=True)
class ExchangeUnconfirmed:
    """Stripe did not confirm the exchange (no answer, timeout, 5xx, 429, other error).

    Stripe may have carried it out anyway, so the code is spent: sending it again could only
    get `invalid_grant` and revoke the connection it made.
    """

    reason: str


# Stripe's description of a reused code (its InvalidGrantError; RFC 6749 §4.1.2 revocation).
_REUSED = "This authorization code has already been used"


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
) -> Connection | RejectedCode | ExchangeUnconfirmed:
    """Exchange an authorization code for the connected account's id (POST /oauth/token), once.

    The code is sent exactly once: the OAuth client does not retry and neither does this
    function. Refuses with `RejectedCode` on `invalid_grant`; anything else that is not an
    answer with an account id is `ExchangeUnconfirmed`. Never returns or stores the access
    token.
    """

    def call() -> stripe.OAuth.OAuthToken:
        return stripe_connection.oauth.oauth.token(
            params={"grant_type": "authorization_code", "code": code}
        )

    try:
        token = await asyncio.to_thread(call)
    except oauth_error.InvalidGrantError as exc:
        reason = str(exc.user_message or exc.code or "invalid_grant")
        return RejectedCode(reason, reused=reason.startswith(_REUSED))
    except stripe.StripeError as exc:
        log.warning("Connect OAuth token exchange failed (the code is not sent again): %s", exc)
        return ExchangeUnconfirmed(type(exc).__name__)
    account = str(token.stripe_user_id or "")
    if not account.startswith("acct_"):
        return ExchangeUnconfirmed("no account id in Stripe's answer")
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
        # Safe to retry (unlike the code exchange): a retry of a deauthorization Stripe already
        # carried out answers `invalid_client`, which reads as "already disconnected" below.
        return stripe_connection.oauth.oauth.deauthorize(
            params={"stripe_user_id": account_id},
            options={"max_network_retries": NETWORK_RETRIES},
        )

    try:
        await asyncio.to_thread(call)
    except oauth_error.InvalidClientError:
        return False
    except stripe.StripeError as exc:
        log.warning("Connect OAuth deauthorization of %s failed: %s", account_id, exc)
        return StripeUnavailable(type(exc).__name__)
    return True
