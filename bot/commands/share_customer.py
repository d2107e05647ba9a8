"""`/share-customer @vendor jane@example.com` (operators): put the customer and their card on
the vendor's Stripe account, tell the vendor's channel, and confirm privately."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.guard import operator_request
from bot.money import Refusal
from bot.notifications.routing import announce, reply_privately
from bot.parsing import ShareCustomerArgs, parse_share_customer
from bot.services import Services
from bot.stripe_ops.customers import check_customer, check_vendor, share_customer
from bot.views.customers import describe_card, shared_message
from storage.models import utcnow
from storage.repos import customers, vendors

log = logging.getLogger(__name__)

SPEC = BY_NAME["/share-customer"]
TROUBLE = "Something went wrong sharing the customer; try again shortly (nothing is duplicated)."


def register(app: AsyncApp, services: Services) -> None:
    @app.command(SPEC.name)
    async def share(ack: AsyncAck, command: dict[str, Any]) -> None:
        received = utcnow()
        args = await operator_request(
            ack, command, spec=SPEC, settings=services.settings, parse=parse_share_customer
        )
        if args is None:
            return
        user = str(command["user_id"])
        await ack()
        team = str(command.get("team_id") or services.settings.slack_team_id or "")
        try:
            reply = await _share(services, team=team, user=user, args=args)
        except Exception:
            log.exception("/share-customer failed")
            reply = TROUBLE
        await reply_privately(
            services.sessions,
            user,
            message={"text": reply},
            key=f"share-customer:{command.get('trigger_id') or command.get('response_url')}",
            response_url=command.get("response_url"),
            received_at=received,
        )


async def _share(services: Services, *, team: str, user: str, args: ShareCustomerArgs) -> str:
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, team, args.vendor_user_id)
        customer = await customers.by_email(session, team, args.email)
        earlier = (
            await customers.share_of(session, customer.id, vendor.id)
            if vendor is not None and customer is not None
            else None
        )
    refusal = check_vendor(vendor) or check_customer(customer, args.email)
    if refusal is not None:
        return refusal.message
    assert vendor is not None and customer is not None
    already = earlier is not None and customers.is_complete(
        earlier, customer.default_payment_method_id
    )
    shared = await share_customer(
        services, customer_id=customer.id, vendor_id=vendor.id, actor=user
    )
    if isinstance(shared, Refusal):
        return shared.message
    card = describe_card(
        customer.card_brand, customer.card_last4, customer.card_exp_month, customer.card_exp_year
    )
    account = vendor.stripe_account_id
    msg = shared_message(
        email=customer.email, vendor_user_id=vendor.slack_user_id, card=card, account=account
    )
    async with services.sessions.begin() as session:
        await announce(
            session,
            services.settings,
            vendor=vendor,
            message=msg,
            key=f"customer-share:{shared.id}:{shared.vendor_payment_method_id}",
        )
    where = f"customer `{shared.vendor_customer_id}` on `{account}`, {card}"
    if already:
        return f"{customer.email} is already shared with <@{vendor.slack_user_id}> ({where})."
    return f"Shared {customer.email} with <@{vendor.slack_user_id}> ({where})."
