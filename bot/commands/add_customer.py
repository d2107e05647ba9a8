"""`/add-customer jane@example.com [Jane Doe]` (operators): find or create the platform
customer and reply privately with a Stripe Checkout link where they save a card."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.customers.adding import card_link
from bot.parsing import AddCustomerArgs, parse_add_customer
from bot.refusal import Refusal
from bot.services import Services
from bot.views.customers import checkout_link_message

SPEC = BY_NAME["/add-customer"]
#: The link button of the answer (`checkout_link_message`).
CHECKOUT_LINK = "customer_checkout_link"


def parse(text: str, settings: Settings) -> AddCustomerArgs | Refusal:
    return parse_add_customer(text)


async def run(call: CommandCall[AddCustomerArgs]) -> Refusal | None:
    """Ack (Stripe comes next), then the card link, privately."""
    await call.ack()
    link = await card_link(
        call.services,
        team_id=call.team_id,
        email=call.args.email,
        name=call.args.name,
        requested_by=call.user_id,
    )
    return await call.show(
        link
        if isinstance(link, Refusal)
        else checkout_link_message(email=link.email, url=link.url, current_card=link.current_card)
    )


COMMAND = Command(SPEC, parse, run, url_buttons=(CHECKOUT_LINK,))


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
