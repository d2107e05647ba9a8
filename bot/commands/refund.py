"""`/refund <charge ref> [amount]` (operators): full or partial, the fee refunded in proportion."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.commands.catalog import BY_NAME
from bot.commands.parsing import parse_refund_command
from bot.money import Refusal
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refunding import request_refund
from bot.services import Services

SPEC = BY_NAME["/refund"]


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/refund")
    async def refund(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        if text.lower() in ("", "help"):
            await ack(SPEC.help_text())
            return
        user = command["user_id"]
        if not is_operator(services.settings, user):
            await ack(NOT_OPERATOR)
            return
        args = parse_refund_command(
            text,
            default_currency=services.settings.default_currency,
            max_amount=services.settings.max_charge_amount,
        )
        if isinstance(args, Refusal):
            await ack(f"{args.message}\n\n{SPEC.help_text()}")
            return
        await ack()  # Stripe comes next; the answer follows through the response URL
        result = await request_refund(
            services,
            team_id=command["team_id"],
            actor=user,
            ref=args.charge_ref,
            amount_text=args.amount_text,
            request_key=command.get("trigger_id") or command["response_url"],
        )
        await respond(text=result.message if isinstance(result, Refusal) else result.text)
