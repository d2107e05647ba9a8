"""The platform's application fees, read from Stripe as they are (not as connectbot expects).

A fee refund is its own object on the platform account (`fr_…`, in the fee's `refunds`); Stripe
makes one when a refund asks for `refund_application_fee`, or when the platform refunds the fee
separately (`POST /v1/application_fees/{id}/refunds`). A refund the vendor makes in their own
Dashboard refunds no fee: "An application fee can be refunded only by the application that
created the charge" (stripe-python, `RefundCreateParams.refund_application_fee`). Nothing links a
fee refund to the charge refund it came with, so what a charge's fee refunds add up to is read
from here, never assumed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe

from bot.stripe_ops.client import StripeConnection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeeReading:
    """`known` is False when Stripe could not be asked; `fee` is None when there is no fee."""

    known: bool
    fee: dict[str, Any] | None = None


async def application_fee_of(connection: StripeConnection, stripe_charge_id: str) -> FeeReading:
    """The application fee of a direct charge, fresh from the platform account.

    Application fees live on the platform, so this works even after the vendor revoked the
    platform's access. Never raises a StripeError: an unanswered read is `known=False`.
    """
    try:
        listed = await connection.api.v1.application_fees.list_async(
            params={"charge": stripe_charge_id, "limit": 1}
        )
    except stripe.StripeError as exc:
        log.warning("could not read the application fee of %s: %r", stripe_charge_id, exc)
        return FeeReading(known=False)
    return FeeReading(known=True, fee=listed.data[0].to_dict() if listed.data else None)
