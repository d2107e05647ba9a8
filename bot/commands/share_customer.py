"""`/share-customer @vendor jane@example.com` (operators): put the customer and their card on
the vendor's Stripe account, tell the vendor's channel, and confirm privately."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.customers.sharing import share_for_operator
from bot.parsing import ShareCustomerArgs, parse_share_customer
from bot.refusal import Refusal
from bot.services import Services

SPEC = BY_NAME["/share-customer"]


def parse(text: str, settings: Settings) -> ShareCustomerArgs | Refusal:
    return parse_share_customer(text)


async def run(call: CommandCall[ShareCustomerArgs]) -> Refusal | None:
    """Ack (Stripe comes next), then what was shared, privately."""
    await call.ack()
    shared = await share_for_operator(
        call.services,
        team_id=call.team_id,
        actor=call.user_id,
        vendor_user_id=call.args.vendor_user_id,
        email=call.args.email,
    )
    if isinstance(shared, Refusal):
        return shared
    vendor = f"<@{shared.vendor_user_id}>"
    where = f"customer `{shared.vendor_customer}` on `{shared.account}`, {shared.card}"
    if shared.already:
        await call.answer(f"{shared.email} is already shared with {vendor} ({where}).")
    else:
        await call.answer(f"Shared {shared.email} with {vendor} ({where}).")
    return None


COMMAND = Command(SPEC, parse, run)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
