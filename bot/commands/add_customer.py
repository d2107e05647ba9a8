"""`/add-customer jane@example.com [Jane Doe]` (operators): find or create the platform
customer and reply privately with a Stripe Checkout link where they save a card."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.guard import operator_request
from bot.money import Refusal
from bot.notifications.routing import reply_privately
from bot.parsing import parse_add_customer
from bot.services import Services
from bot.stripe_ops.checkout import card_setup_link
from bot.stripe_ops.customers import find_or_create_customer
from bot.views.customers import checkout_link_message, describe_card
from storage.models import utcnow
from storage.repos import audit

log = logging.getLogger(__name__)

SPEC = BY_NAME["/add-customer"]
TROUBLE = "Something went wrong preparing the card link; nothing was charged. Try again shortly."


def register(app: AsyncApp, services: Services) -> None:
    @app.command(SPEC.name)
    async def add_customer(ack: AsyncAck, command: dict[str, Any]) -> None:
        received = utcnow()
        args = await operator_request(
            ack, command, spec=SPEC, settings=services.settings, parse=parse_add_customer
        )
        if args is None:
            return
        user = str(command["user_id"])
        await ack()
        team = str(command.get("team_id") or services.settings.slack_team_id or "")
        try:
            reply = await _card_link(
                services, team=team, user=user, email=args.email, name=args.name
            )
        except Exception:
            log.exception("/add-customer failed")
            reply = {"text": TROUBLE}
        await reply_privately(
            services.sessions,
            user,
            message=reply,
            key=f"add-customer:{command.get('trigger_id') or command.get('response_url')}",
            response_url=command.get("response_url"),
            received_at=received,
        )

    @app.action("customer_checkout_link")
    async def link_opened(ack: AsyncAck) -> None:
        await ack()  # a URL button: Slack opens the page; the click needs only an ack


async def _card_link(
    services: Services, *, team: str, user: str, email: str, name: str | None
) -> dict[str, Any]:
    found = await find_or_create_customer(
        services, team_id=team, email=email, name=name, actor=user
    )
    if isinstance(found, Refusal):
        return {"text": found.message}
    customer, _created = found
    url = await card_setup_link(services, customer, requested_by=user)
    if isinstance(url, Refusal):
        return {"text": url.message}
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            team_id=team,
            actor=user,
            action="customer.card_link",
            target=customer.email,
            outcome="sent",
            detail={"stripe_customer": customer.stripe_customer_id},
        )
    current = (
        describe_card(
            customer.card_brand,
            customer.card_last4,
            customer.card_exp_month,
            customer.card_exp_year,
        )
        if customer.default_payment_method_id
        else None
    )
    return checkout_link_message(email=customer.email, url=url, current_card=current)
