"""Which connectbot charge a Stripe event is about, whatever order the events come in.

Stripe's ids reach a charge row only once connectbot records Stripe's answer (from the
listener, the reconciler or `payment_intent.succeeded`), but events about the charge may come
before that. The PaymentIntent's `metadata.connectbot_charge_id` (set on every PaymentIntent
connectbot makes, and copied by Stripe onto the charge it creates) names the row earlier.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Charge
from storage.repos import charges


async def charge_for(
    session: AsyncSession,
    *,
    stripe_charge_id: str | None,
    payment_intent_id: str | None,
    connectbot_charge_id: str | None,
) -> Charge | None:
    """The charge row for these Stripe ids, or the row the metadata names; None if neither.

    A row found by metadata only is returned when its PaymentIntent is unknown or the same one,
    never when it records another PaymentIntent (then the metadata was copied, not ours).
    """
    if stripe_charge_id:
        found = await session.scalar(
            select(Charge)
            .where(Charge.stripe_charge_id == stripe_charge_id)
            .execution_options(populate_existing=True)
        )
        if found is not None:
            return found
    if payment_intent_id:
        found = await charges.by_payment_intent(session, payment_intent_id)
        if found is not None:
            return found
    if not connectbot_charge_id:
        return None
    found = await charges.by_id(session, connectbot_charge_id)
    if found is None or found.payment_intent_id not in (None, payment_intent_id):
        return None
    return found


def id_of(value: object) -> str | None:
    """An id field of a Stripe object, whether it came as an id or as an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None
