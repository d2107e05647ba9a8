"""`/refund <charge ref> [amount]` (operators): full or partial, the fee refunded in proportion.
`/refund` alone opens the refund modal with the recent refundable charges to pick from."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.catalog import BY_NAME
from bot.commands.guard import operator_request
from bot.interactions.refunds import open_picker
from bot.money import Refusal
from bot.notifications.routing import reply_privately
from bot.parsing import parse_refund_command
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refunding import request_refund
from bot.services import Services
from storage.models import utcnow

SPEC = BY_NAME["/refund"]


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/refund")
    async def refund(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        received = utcnow()
        settings = services.settings
        if not (command.get("text") or "").strip():  # no charge named: pick one of the recent
            if not is_operator(settings, str(command["user_id"])):
                await ack(NOT_OPERATOR)
                return
            await ack()
            problem = await open_picker(services, client, command)
            if problem:
                await reply_privately(
                    services.sessions,
                    str(command["user_id"]),
                    message={"text": f"{problem}\n\n{SPEC.help_text()}"},
                    key=f"refund-picker:{command.get('trigger_id')}",
                    response_url=command.get("response_url"),
                    received_at=received,
                )
            return
        args = await operator_request(
            ack,
            command,
            spec=SPEC,
            settings=settings,
            parse=lambda text: parse_refund_command(
                text,
                default_currency=settings.default_currency,
                max_amount=settings.max_charge_amount,
            ),
        )
        if args is None:
            return
        user = str(command["user_id"])
        await ack()  # Stripe comes next; the answer follows through the response URL
        request_key = command.get("trigger_id") or command["response_url"]
        result = await request_refund(
            services,
            team_id=command["team_id"],
            actor=user,
            ref=args.charge_ref,
            amount_text=args.amount_text,
            request_key=request_key,
        )
        await reply_privately(
            services.sessions,
            user,
            message={"text": result.message if isinstance(result, Refusal) else result.text},
            key=f"refund-reply:{request_key}",
            response_url=command.get("response_url"),
            received_at=received,
        )
