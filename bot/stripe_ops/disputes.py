"""What a dispute or a fraud warning refers to: the charge it is about, read from the vendor's
account."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from stripe import RequestOptions

from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import StripeUnavailable

log = logging.getLogger(__name__)


async def charge_metadata(
    connection: StripeConnection, stripe_account: str, stripe_charge_id: str
) -> dict[str, str] | StripeUnavailable:
    """The metadata of a charge on `stripe_account`; `StripeUnavailable` when Stripe cannot
    tell (logged).

    Stripe copies a PaymentIntent's metadata onto the charge it creates when it is confirmed
    (https://support.stripe.com/questions/how-metadata-works-with-related-objects), so this
    names the connectbot charge a dispute is about even before its PaymentIntent id is known.
    Fails (`StripeUnavailable`) once the vendor has revoked the platform's access.
    """
    charge = await read_charge(connection, stripe_account, stripe_charge_id)
    if isinstance(charge, StripeUnavailable):
        return charge
    metadata = charge.get("metadata") or {}
    return {str(k): str(v) for k, v in metadata.items()}


async def read_charge(
    connection: StripeConnection, stripe_account: str | None, stripe_charge_id: str
) -> dict[str, Any] | StripeUnavailable:
    """A charge as the account holding it shows it (amount, currency, metadata, refunded, …);
    `StripeUnavailable` when Stripe cannot tell (logged)."""
    options: RequestOptions = {"stripe_account": stripe_account} if stripe_account else {}
    try:
        charge = await connection.api.v1.charges.retrieve_async(stripe_charge_id, options=options)
    except stripe.StripeError as exc:
        log.warning("could not read charge %s on %s: %r", stripe_charge_id, stripe_account, exc)
        return StripeUnavailable(type(exc).__name__)
    found: dict[str, Any] = charge.to_dict()
    return found
