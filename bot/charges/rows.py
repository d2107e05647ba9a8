"""Adding one charge row before any Stripe call: a single charge's, or one part of a cart's.

Shared by `submit_charge`, `submit_cart` and `retry_failed_parts`, so a part, and a retried
part, is stored exactly as a charge is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.customers.checks import check_vendor
from bot.money import Money
from bot.stripe_ops.charges import payment_intent_request
from storage.models import Charge, Customer, Vendor
from storage.repos import charges, response_urls
from storage.repos import customers as customer_repo


async def add_charge_row(
    session: AsyncSession,
    *,
    vendor: Vendor,
    customer: Customer,
    money: Money,
    fee: int,
    description: str | None,
    requested_by: str,
    origin_channel: str | None,
    response_url: str | None,
    idempotency_key: str,
    status: str,
    cart_id: str | None = None,
    approved_by: str | None = None,
) -> tuple[Charge, bool]:
    """Insert the charge unless its `idempotency_key` exists; (stored row, whether it is new).

    The complete PaymentIntent request is stored with it when it could be sent as it is: the
    vendor may be charged for now (`check_vendor`) and the customer is already shared with
    them (clone and card). Otherwise it is left for `execute_charge` to build after its own
    check and sharing, so a vendor disconnected since (a retried cart part) is refused there
    without a request reaching Stripe. Never calls Stripe.
    """
    charge_id = charges.new_charge_id()
    share = await customer_repo.share_of(session, customer.id, vendor.id)
    request = None
    if (
        share is not None
        and customer_repo.is_complete(share, customer.default_payment_method_id)
        and check_vendor(vendor) is None
    ):
        request = payment_intent_request(
            stripe_account=vendor.stripe_account_id,
            amount=money.amount,
            currency=money.currency,
            application_fee_amount=fee,
            customer=str(share.vendor_customer_id),
            payment_method=str(share.vendor_payment_method_id),
            description=description,
            charge_id=charge_id,
            requested_by=requested_by,
            cart_id=cart_id,
        )
    return await charges.add(
        session,
        id=charge_id,
        team_id=vendor.team_id,
        vendor_id=vendor.id,
        customer_id=customer.id,
        requested_by=requested_by,
        approved_by=approved_by,
        origin_channel_id=origin_channel,
        response_url=response_url,
        amount=money.amount,
        currency=money.currency,
        application_fee_amount=fee,
        description=description,
        idempotency_key=idempotency_key,
        request_params=request,
        status=status,
        cart_id=cart_id,
    )


async def remember_response_url(
    session: AsyncSession, response_url: str | None, *, user_id: str, received_at: datetime | None
) -> None:
    """Keep the command's `response_url` for the requester's private replies; none, nothing."""
    if response_url:
        await response_urls.remember(
            session, response_url, user_id=user_id, received_at=received_at
        )
