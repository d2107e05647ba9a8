"""`/charge @vendor amount [currency] [email] [description]` (operators): check, then open the
confirmation modal.

Everything that can be checked without Stripe is checked before the ack (`parse`, then
`bot.charges.confirm`) and refused privately with the usage; otherwise the modal opens within
the trigger's 3 seconds. Nothing is stored or charged until the modal is submitted
(`bot/interactions/charge.py`).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.charges.cart_confirm import cart_confirmation_modal
from bot.charges.confirm import confirmation_modal
from bot.commands.catalog import BY_NAME
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.parsing import CartArgs, ChargeArgs, parse_charge_or_cart
from bot.refusal import Refusal
from bot.services import Services

SPEC = BY_NAME["/charge"]


def parse(text: str, settings: Settings) -> ChargeArgs | CartArgs | Refusal:
    return parse_charge_or_cart(
        text, default_currency=settings.default_currency, max_amount=settings.max_charge_amount
    )


async def run(call: CommandCall[ChargeArgs | CartArgs]) -> Refusal | None:
    """The modal (one charge's, or a split cart's), or (in the ack) why it would not go
    through, with the usage."""
    where: dict[str, Any] = {
        "team_id": call.team_id,
        "requested_by": call.user_id,
        "channel": call.channel_id or None,
        "response_url": call.response_url,
        "received_at": call.received_at,
    }
    args = call.args
    if isinstance(args, CartArgs):
        modal = await cart_confirmation_modal(call.services, args, **where)
    else:
        modal = await confirmation_modal(call.services, args, **where)
    if isinstance(modal, Refusal):
        return call.with_usage(modal)
    what = "the cart form" if isinstance(args, CartArgs) else "the charge form"
    await call.open_modal(modal, what=what)
    return None


COMMAND = Command(SPEC, parse, run)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
