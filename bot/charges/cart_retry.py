""" "Retry failed parts" of a split cart: a new attempt for each part that failed, nothing else.

A part's failed row stays as it is (its declined PaymentIntent is on Stripe, and replaying its
key would only return the same decline); the retry is a new charge row in the cart with a new
key, `<first key>:retry:<n>` for the part's n-th try, written by `add_charge_row` as the
part's first row was (the same fee and terms, its cart in the request's metadata, the complete
request stored with it when it can be sent as it is) before Stripe is called. Only a
part whose current row is `failed` gets one: a charged part stands, and a part still `pending`
(Stripe did not answer) is the reconciler's, with its original key. Two clicks racing take
turns on the cart's row lock; the second finds no failed part left (and the same n would
collide on the key anyway), so a double click is one attempt.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.cart_submit import charge_parts
from bot.charges.rows import add_charge_row
from bot.money import Money
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refusal import Refusal
from bot.services import Services
from storage.models import Charge, Customer, Vendor
from storage.repos import audit, carts


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
        customer = await session.get(Customer, cart.customer_id)
        assert customer is not None  # a cart's customer is never deleted (foreign key)
        created = [await _new_attempt(session, part, customer) for part in failed]
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


async def _new_attempt(session: AsyncSession, part: Charge, customer: Customer) -> str:
    """The part's next row, written as a first attempt is: the same terms (amount, fee,
    description, requester, approver), a new id and the next key; its id."""
    vendor = await session.get(Vendor, part.vendor_id)
    assert vendor is not None  # a part's vendor is never deleted (foreign key)
    first_key = part.idempotency_key.partition(":retry:")[0]
    charge, _ = await add_charge_row(
        session,
        vendor=vendor,
        customer=customer,
        money=Money(part.amount, part.currency),
        fee=part.application_fee_amount,
        description=part.description,
        requested_by=part.requested_by,
        approved_by=part.approved_by,
        origin_channel=part.origin_channel_id,
        response_url=part.response_url,
        idempotency_key=f"{first_key}:retry:{carts.generation(part) + 1}",
        status="pending",
        cart_id=part.cart_id,
    )
    return charge.id
