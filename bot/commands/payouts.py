"""`/payouts [@vendor]`: a vendor's balance and their last and next payouts, from Stripe.

A vendor sees their own (whatever vendor they name); operators and admins name the vendor;
anyone else is refused. The reads happen after the ack: Stripe may take longer than Slack's
three seconds.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.parsing import PayoutsArgs, parse_payouts_command
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.payouts import NAME_A_VENDOR, summary

SPEC = BY_NAME["/payouts"]


def parse(text: str, settings: Settings) -> PayoutsArgs | Refusal:
    return parse_payouts_command(text)


async def run(call: CommandCall[PayoutsArgs]) -> Refusal | None:
    """The summary, privately; an operator who named no vendor gets the usage."""
    await call.ack()
    result = await summary(
        call.services, team=call.team_id, caller=call.user_id, named=call.args.vendor_user_id
    )
    if result == NAME_A_VENDOR:
        return call.with_usage(result)
    return await call.show(result)


COMMAND = Command(SPEC, parse, run)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
