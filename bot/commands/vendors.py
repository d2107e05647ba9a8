"""`/vendors`: the vendor list, and admins' `fee`, `channel` and `disconnect` subcommands.

Operators and admins see every vendor; a vendor sees only their own row; anyone else is
refused. Changing a vendor needs an admin. The work is `bot.vendors`' (`directory`,
`vendor_settings`, `disconnect`); this module reads the command and shows the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.roles import Form
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.parsing import (
    VendorChannelArgs,
    VendorFeeArgs,
    parse_vendor_channel_command,
    parse_vendor_disconnect_command,
    parse_vendor_fee_command,
    split_args,
)
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.directory import list_page
from bot.vendors.disconnect import vendor_to_disconnect
from bot.vendors.vendor_settings import set_channel, set_fee
from bot.views.vendors import disconnect_confirmation

SPEC = BY_NAME["/vendors"]
#: The admins' subcommands, and what someone else is told they cannot do.
ADMIN_ACTIONS = {
    "fee": "change a vendor's platform fee",
    "channel": "choose where a vendor's notifications go",
    "disconnect": "disconnect a vendor",
}


@dataclass(frozen=True, slots=True)
class ListVendors:
    """`/vendors` (or `/vendors list`)."""


@dataclass(frozen=True, slots=True)
class Disconnect:
    """`/vendors disconnect @vendor`: ask the admin to confirm."""

    vendor_user_id: str


VendorsArgs = ListVendors | VendorFeeArgs | VendorChannelArgs | Disconnect


def _subcommand(text: str) -> str:
    words = split_args(text)
    return words[0].lower() if words else "list"


def form(text: str, caller: str) -> Form:
    """The admins' subcommands are for admins; the list (and `help`) for vendors too."""
    sub = _subcommand(text)
    if sub in ADMIN_ACTIONS:
        return Form("admin", ADMIN_ACTIONS[sub])
    return Form("vendor", SPEC.action)


def parse(text: str, settings: Settings) -> VendorsArgs | Refusal:
    """The list, or one admin subcommand; refuses an unknown subcommand and what the
    subcommand's parser refuses."""
    sub = _subcommand(text)
    if sub == "list":
        return ListVendors()
    if sub == "fee":
        return parse_vendor_fee_command(text, currency=settings.default_currency)
    if sub == "channel":
        return parse_vendor_channel_command(text)
    if sub == "disconnect":
        user_id = parse_vendor_disconnect_command(text)
        return user_id if isinstance(user_id, Refusal) else Disconnect(user_id)
    return Refusal(f"I don't know `/vendors {sub[:20]}`.")


async def run(call: CommandCall[VendorsArgs]) -> Refusal | None:
    """Ack, then the list, the change made, or the disconnect confirmation, privately."""
    await call.ack()
    return await call.show(
        await _answer(call.services, call.args, by=call.user_id, team=call.team_id)
    )


async def _answer(
    services: Services, args: VendorsArgs, *, by: str, team: str
) -> dict[str, Any] | str | Refusal:
    if isinstance(args, ListVendors):
        return await list_page(services, caller=by, team=team, offset=0)
    if isinstance(args, VendorFeeArgs):
        vendor, fee = args.vendor_user_id, args.policy
        return await set_fee(services, vendor_user_id=vendor, policy=fee, caller=by, team=team)
    if isinstance(args, VendorChannelArgs):
        vendor, channel = args.vendor_user_id, args.channel_id
        return await set_channel(
            services, vendor_user_id=vendor, channel_id=channel, caller=by, team=team
        )
    vendor_row = await vendor_to_disconnect(services, team=team, user_id=args.vendor_user_id)
    if isinstance(vendor_row, Refusal):
        return vendor_row
    return disconnect_confirmation(
        vendor_row.id,
        vendor_row.slack_user_id,
        vendor_row.stripe_account_id,
        livemode=vendor_row.livemode,
    )


COMMAND = Command(SPEC, parse, run, form=form)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
