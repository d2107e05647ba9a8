"""Account Links onboarding: a hosted Stripe page that sets the account up."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import stripe

from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import StripeUnavailable

log = logging.getLogger(__name__)

RETURN_PATH = "/stripe/onboarding/return"
REFRESH_PATH = "/stripe/onboarding/refresh"


async def onboarding_link(
    stripe_connection: StripeConnection, *, public_url: str, account_id: str, state: str
) -> str | StripeUnavailable:
    """A fresh single-use onboarding URL for `account_id`; `StripeUnavailable` when Stripe fails
    (logged).

    Stripe sends the person back to `{public_url}/stripe/onboarding/return?state=…` when they
    finish or leave, and to `/refresh?state=…` when the link expired or was already used.
    """
    query = urlencode({"state": state})
    try:
        link = await stripe_connection.api.v1.account_links.create_async(
            params={
                "account": account_id,
                "refresh_url": f"{public_url}{REFRESH_PATH}?{query}",
                "return_url": f"{public_url}{RETURN_PATH}?{query}",
                "type": "account_onboarding",
            }
        )
    except stripe.StripeError as exc:
        log.warning("could not create an account link for %s: %s", account_id, exc)
        return StripeUnavailable(type(exc).__name__)
    return str(link.url)
