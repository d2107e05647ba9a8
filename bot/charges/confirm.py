"""The /charge confirmation modal, for a command that has been parsed: checked, then built.

Nothing is stored or charged until the modal is submitted; everything that needs no Stripe
call is checked first, so a modal opens only for a charge that could go through.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from bot.charges.drafts import check_draft, check_terms, fee_preview, previewed
from bot.money import SUPPORTED_CURRENCIES
from bot.parsing import ChargeArgs
from bot.refusal import Refusal
from bot.services import Services
from bot.views.charge import CustomerChoice, card_label, charge_modal
from storage.db import EACH_STATEMENT
from storage.models import Customer
from storage.repos import customers as customer_repo
from storage.repos import vendors

#: The currencies the form offers, in the order it shows them.
CURRENCIES = sorted(SUPPORTED_CURRENCIES)


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
    # Two statements and no transaction: the submission checks everything again.
    async with services.engine.connect() as conn:
        await conn.execution_options(**EACH_STATEMENT)
        vendor = await vendors.glance_by_slack_user(conn, team_id, args.vendor_user_id)
        customer, choices = await customer_repo.for_charge_form(conn, team_id, args.customer_email)
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
    picked = picker_choices(customer, choices)
    if isinstance(picked, Refusal):
        return picked
    assert vendor is not None
    fee = checked.fee
    return charge_modal(
        vendor_user_id=vendor.slack_user_id,
        vendor_account=vendor.stripe_account_id,
        vendor_livemode=vendor.livemode,
        money=args.money,
        currencies=CURRENCIES,
        customers=picked,
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


def picker_choices(
    customer: Customer | None, choices: Sequence[Row[Any]]
) -> list[CustomerChoice] | Refusal:
    """The modal's customer picker: the customers with a card, the one named first if it is
    not among them (at most 100, Slack's limit for a static select's options); refused when
    no customer has a card at all."""
    if not choices:
        return Refusal("No customer has a card on file yet; add one with `/add-customer` first.")
    picked = [_choice(c) for c in choices]
    if customer is not None and all(c.id != customer.id for c in choices):
        picked = [_choice(customer), *picked][:100]
    return picked


def _choice(row: Row[Any] | Customer) -> CustomerChoice:
    return CustomerChoice(row.id, row.email, card_label(row.card_brand, row.card_last4))
