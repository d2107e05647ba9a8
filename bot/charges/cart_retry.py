""" "Retry failed parts" of a split cart: a new attempt for each part that failed, nothing else.

A part's failed row stays as it is (its declined PaymentIntent is on Stripe, and replaying its
key would only return the same decline); the retry is a new charge row in the cart with a new
key, `<first key>:retry:<n>` for the part's n-th try, recorded before Stripe is called. Only a
part whose current row is `failed` gets one: a charged part stands, and a part still `pending`
(Stripe did not answer) is the reconciler's, with its original key. Two clicks racing take
turns on the cart's row lock; the second finds no failed part left (and the same n would
collide on the key anyway), so a double click is one attempt.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.cart_submit import charge_parts
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refusal import Refusal
from bot.services import Services
from storage.models import Charge
from storage.repos import audit, carts, charges


async def retry_failed_parts(services: Services, cart_id: str, *, user: str) -> list[str] | Refusal:
    """Record a new attempt for each failed part and run them; the new rows' statuses.

    Refuses a non-operator, an unknown cart, and a cart with no failed part (naming why).
    """
    if not is_operator(services.settings, user):
        return Refusal(NOT_OPERATOR)
    async with services.sessions.begin() as session:
        cart = await carts.lock(session, cart_id)
        if cart is None:
            return Refusal("That cart doesn't exist.")
        rows = await carts.rows(session, cart_id)
        failed = [p for p in carts.current_parts(rows) if p.status == "failed"]
        if not failed or cart.status not in ("settled", "pending"):
            return Refusal(
                f"Cart `{cart_id}` has no failed part to retry: every part is charged or "
                "still being settled."
            )
        created = [await _new_attempt(session, part) for part in failed]
        round_ = cart.rounds + 1
        await carts.set_status(
            session, cart_id, "pending", was=("settled", "pending"), rounds=round_
        )
        await audit.record(
            session,
            team_id=cart.team_id,
            actor=user,
            action="cart.retry",
            target=cart_id,
            outcome="pending",
            detail={"retried": [p.id for p in failed], "attempts": created, "round": round_},
        )
    return await charge_parts(services, cart_id, actor=user)


async def _new_attempt(session: AsyncSession, part: Charge) -> str:
    """The part's next row: the same terms, a new id and the next key; its id."""
    first_key = part.idempotency_key.partition(":retry:")[0]
    charge, _ = await charges.add(
        session,
        id=charges.new_charge_id(),
        team_id=part.team_id,
        vendor_id=part.vendor_id,
        customer_id=part.customer_id,
        requested_by=part.requested_by,
        approved_by=part.approved_by,
        origin_channel_id=part.origin_channel_id,
        response_url=part.response_url,
        amount=part.amount,
        currency=part.currency,
        application_fee_amount=part.application_fee_amount,
        description=part.description,
        idempotency_key=f"{first_key}:retry:{carts.generation(part) + 1}",
        request_params=None,  # rebuilt with the new row's id in its metadata
        status="pending",
        cart_id=part.cart_id,
    )
    return charge.id
