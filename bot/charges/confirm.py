"""The /charge confirmation modal, for a command that has been parsed: checked, then built.

Nothing is stored or charged until the modal is submitted; everything that needs no Stripe
call is checked first, so a modal opens only for a charge that could go through.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.charges.drafts import check_draft, check_terms, fee_preview, previewed
from bot.money import SUPPORTED_CURRENCIES
from bot.parsing import ChargeArgs
from bot.refusal import Refusal
from bot.services import Services
from bot.views.charge import CustomerChoice, card_label, charge_modal
from storage.models import Customer
from storage.repos import charges, vendors
from storage.repos import customers as customer_repo


async def confirmation_modal(
    services: Services,
    args: ChargeArgs,
    *,
    team_id: str,
    requested_by: str,
    channel: str | None,
    response_url: str | None,
    received_at: datetime,
) -> dict[str, Any] | Refusal:
    """The modal for `args`, or why it is refused: vendor not connected or charges disabled;
    a customer named but unknown or without a card; no customer with a card at all; a fee
    not below the amount; approval needed but no ops channel.

    Its private_metadata carries the command's response URL and when it arrived, so the
    charge's private replies can go through it (`bot/notifications/routing.py`)."""
    settings = services.settings
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, team_id, args.vendor_user_id)
        customer = None
        if args.customer_email:
            customer = await customer_repo.by_email(session, team_id, args.customer_email)
        choices = await charges.chargeable_customers(session, team_id)
    # No email: the modal's picker chooses the customer, so only the terms are checked now.
    checked = (
        check_draft(
            settings,
            vendor=vendor,
            customer=customer,
            money=args.money,
            description=args.description,
            customer_email=args.customer_email,
        )
        if args.customer_email
        else check_terms(settings, vendor=vendor, money=args.money)
    )
    if isinstance(checked, Refusal):
        return Refusal(checked.message)
    if not choices:
        return Refusal("No customer has a card on file yet; add one with `/add-customer` first.")
    assert vendor is not None
    fee = checked.fee
    if customer is not None and all(c.id != customer.id for c in choices):
        choices = [customer, *choices][:100]
    return charge_modal(
        vendor_user_id=vendor.slack_user_id,
        vendor_account=vendor.stripe_account_id,
        money=args.money,
        currencies=sorted(SUPPORTED_CURRENCIES),
        customers=[_choice(c) for c in choices],
        customer_id=customer.id if customer else None,
        description=args.description,
        fee_preview=fee_preview(settings, args.money, fee),
        private_metadata=json.dumps(
            {
                "vendor_id": vendor.id,
                "requested_by": requested_by,
                "channel": channel,
                "shown": previewed(args.money, fee),
                "response_url": response_url,
                "received_at": received_at.isoformat(),
            }
        ),
    )


def _choice(customer: Customer) -> CustomerChoice:
    return CustomerChoice(
        customer.id, customer.email, card_label(customer.card_brand, customer.card_last4)
    )
