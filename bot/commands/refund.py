"""`/refund <charge ref> [amount]` (operators): full or partial, the fee refunded in proportion.
`/refund` alone opens the refund modal with the recent refundable charges to pick from."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.catalog import BY_NAME
from bot.commands.guard import operator_request
from bot.notifications.routing import reply_privately
from bot.parsing import parse_refund_command
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refunds.picker import not_opened, picker_view
from bot.refunds.requests import request_refund
from bot.refusal import Refusal
from bot.services import Services
from storage.models import utcnow

SPEC = BY_NAME["/refund"]

log = logging.getLogger(__name__)


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
            problem = await _open_picker(services, client, command)
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


async def _open_picker(services: Services, client: AsyncWebClient, command: dict[str, Any]) -> str:
    """Open the refund modal listing the recent refundable charges; what to answer privately
    instead ("" when it opened)."""
    view = await picker_view(
        services,
        team_id=str(command["team_id"]),
        response_url=command.get("response_url") or "",
    )
    if isinstance(view, Refusal):
        return view.message
    try:
        await client.views_open(trigger_id=str(command["trigger_id"]), view=view)
    except Exception as exc:  # expired trigger, Slack down: say so, never a traceback
        log.warning("/refund: views.open failed: %r", exc)
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else None
        return not_opened(str(error or type(exc).__name__))
    return ""
