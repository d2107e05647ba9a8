"""`/add-customer jane@example.com [Jane Doe]` (operators): find or create the platform
customer and reply privately with a Stripe Checkout link where they save a card."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.guard import operator_request
from bot.customers.adding import card_link
from bot.notifications.routing import reply_privately
from bot.parsing import parse_add_customer
from bot.refusal import Refusal
from bot.services import Services
from bot.views.customers import checkout_link_message
from storage.models import utcnow

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
    link = await card_link(services, team_id=team, email=email, name=name, requested_by=user)
    if isinstance(link, Refusal):
        return {"text": link.message}
    return checkout_link_message(email=link.email, url=link.url, current_card=link.current_card)
