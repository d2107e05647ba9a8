"""`/share-customer @vendor jane@example.com` (operators): put the customer and their card on
the vendor's Stripe account, tell the vendor's channel, and confirm privately."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.guard import operator_request
from bot.customers.sharing import share_for_operator
from bot.notifications.routing import reply_privately
from bot.parsing import ShareCustomerArgs, parse_share_customer
from bot.refusal import Refusal
from bot.services import Services
from storage.models import utcnow

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
    shared = await share_for_operator(
        services, team_id=team, actor=user, vendor_user_id=args.vendor_user_id, email=args.email
    )
    if isinstance(shared, Refusal):
        return shared.message
    where = f"customer `{shared.vendor_customer}` on `{shared.account}`, {shared.card}"
    if shared.already:
        return f"{shared.email} is already shared with <@{shared.vendor_user_id}> ({where})."
    return f"Shared {shared.email} with <@{shared.vendor_user_id}> ({where})."
