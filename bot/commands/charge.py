"""`/charge @vendor amount [currency] [email] [description]`: check, then open the modal.

Everything that can be checked without Stripe is checked here and refused privately with the
usage; otherwise the confirmation modal opens (within the trigger's 3 seconds). Nothing is
stored or charged until the modal is submitted (`bot/interactions/charge.py`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charges.confirm import confirmation_modal
from bot.commands.catalog import BY_NAME
from bot.notifications.routing import reply_privately
from bot.parsing import parse_charge_command
from bot.permissions import is_operator, not_operator
from bot.refusal import Refusal
from bot.services import Services
from storage.models import utcnow

log = logging.getLogger(__name__)

SPEC = BY_NAME["/charge"]
USAGE = "Usage: `/charge @vendor 100.00 [currency] [email] [description]`"
NOT_ALLOWED = not_operator(SPEC.action)


def register(app: AsyncApp, services: Services) -> None:
    async def charge_command(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        received = utcnow()
        text = (command.get("text") or "").strip()
        if text.lower() == "help":
            allowed = is_operator(services.settings, str(command.get("user_id", "")))
            await ack(SPEC.help_text("operator") if allowed else not_operator(SPEC.action))
            return
        view = await confirmation_view(services, command, received_at=received)
        if isinstance(view, Refusal):
            await ack(view.message if view.message == NOT_ALLOWED else f"{view.message}\n\n{USAGE}")
            return
        await ack()
        try:
            await client.views_open(trigger_id=command["trigger_id"], view=view)
        except Exception as exc:  # the modal can't open: say so, never a traceback
            log.warning("/charge: views.open failed: %r", exc)
            await reply_privately(
                services.sessions,
                str(command.get("user_id", "")),
                message={"text": _not_opened(exc)},
                key=f"charge-modal:{command.get('trigger_id')}",
                response_url=command.get("response_url"),
                received_at=received,
            )

    app.command(SPEC.name)(charge_command)


def _not_opened(exc: Exception) -> str:
    error = exc.response.get("error") if isinstance(exc, SlackApiError) else None
    if error in ("expired_trigger_id", "exchanged_trigger_id"):
        return (
            "Slack took too long to open the charge form, so it was not shown; nothing was "
            "charged. Type the command again."
        )
    return "Slack could not open the charge form; nothing was charged. Type the command again."


async def confirmation_view(
    services: Services, command: dict[str, Any], *, received_at: datetime
) -> dict[str, Any] | Refusal:
    """The modal for this command, or why it is refused (operators only; §5 amounts; then
    what `confirmation_modal` refuses)."""
    settings = services.settings
    user = str(command.get("user_id", ""))
    if not is_operator(settings, user):
        return Refusal(NOT_ALLOWED)
    args = parse_charge_command(
        command.get("text") or "",
        default_currency=settings.default_currency,
        max_amount=settings.max_charge_amount,
    )
    if isinstance(args, Refusal):
        return args
    return await confirmation_modal(
        services,
        args,
        team_id=str(command.get("team_id", "")),
        requested_by=user,
        channel=command.get("channel_id"),
        response_url=command.get("response_url"),
        received_at=received_at,
    )
