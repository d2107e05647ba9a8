"""`/connect-vendor [@vendor]`: a private Connect with Stripe link, for yourself or a vendor.

Anyone may ask for their own link; sending one to someone else needs an operator or admin.
A vendor already connected is told so (with the account id) instead of getting a new link.
The link itself is made and delivered by `bot.vendors.invitations`.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.roles import Form
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.parsing import ConnectVendorArgs, parse_connect_vendor_command
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.invitations import send_link
from storage.repos.oauth_states import StateOwner

SPEC = BY_NAME["/connect-vendor"]


def form(text: str, caller: str) -> Form:
    """Your own link is for anyone (malformed text too: it is refused with the usage);
    a link for someone else is for operators."""
    args = parse_connect_vendor_command(text)
    if isinstance(args, Refusal) or args.vendor_user_id in (None, caller):
        return Form("anyone", "connect your Stripe account")
    return Form("operator", SPEC.action)


def parse(text: str, settings: Settings) -> ConnectVendorArgs | Refusal:
    return parse_connect_vendor_command(text)


async def run(call: CommandCall[ConnectVendorArgs]) -> Refusal | None:
    """Ack, then the link (or the account already connected), privately to the caller."""
    await call.ack()
    target = call.args.vendor_user_id or call.user_id
    return await call.show(
        await send_link(call.services, StateOwner(call.team_id, target, call.user_id))
    )


COMMAND = Command(SPEC, parse, run, form=form)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
