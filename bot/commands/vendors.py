"""`/vendors`: the vendor list, and admins' `fee`, `channel` and `disconnect` subcommands.

Operators and admins see every vendor; a vendor sees only their own row; anyone else is
refused. Changing a vendor needs an admin. The work is `bot.vendors`' (`directory`,
`vendor_settings`, `disconnect`); this module reads the command and shows the answer.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME, Role
from bot.notifications.routing import reply_privately
from bot.parsing import (
    parse_vendor_channel_command,
    parse_vendor_disconnect_command,
    parse_vendor_fee_command,
    split_args,
)
from bot.permissions import is_admin, is_operator, not_admin
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.directory import NOT_ALLOWED, find_vendor, list_page
from bot.vendors.disconnect import vendor_to_disconnect
from bot.vendors.vendor_settings import set_channel, set_fee
from bot.views.vendors import disconnect_confirmation
from storage.models import utcnow

log = logging.getLogger(__name__)

SPEC = BY_NAME["/vendors"]
FAILED = "Sorry, something went wrong on my side. Please try again in a minute."
#: The admins' subcommands, and what someone else is told they cannot do.
ADMIN_ACTIONS = {
    "fee": "change a vendor's platform fee",
    "channel": "choose where a vendor's notifications go",
    "disconnect": "disconnect a vendor",
}


def register(app: AsyncApp, services: Services) -> None:
    async def vendors_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        received = utcnow()
        text = (command.get("text") or "").strip()
        words = split_args(text)
        sub = words[0].lower() if words else "list"
        caller, team = str(command["user_id"]), str(command["team_id"])
        if sub in ADMIN_ACTIONS and not is_admin(services.settings, caller):
            await ack(not_admin(ADMIN_ACTIONS[sub]))
            return
        if sub not in ("list", *ADMIN_ACTIONS):
            # Only the forms the caller may run; someone who may run none is told so instead.
            role = await _role(services, caller=caller, team=team)
            if not SPEC.runnable_by(role):
                await ack(NOT_ALLOWED)
            elif sub == "help":
                await ack(SPEC.help_text(role))
            else:
                await ack(f"I don't know `/vendors {sub[:20]}`.\n\n{SPEC.help_text(role)}")
            return
        await ack()
        try:
            reply = await _run(services, sub, text, caller=caller, team=team)
        except Exception:
            log.exception("/vendors %s failed", sub)
            reply = {"text": FAILED}
        await reply_privately(
            services.sessions,
            caller,
            message=reply,
            key=f"vendors:{command.get('trigger_id') or command.get('response_url')}",
            response_url=command.get("response_url"),
            received_at=received,
        )

    app.command(SPEC.name)(vendors_command)


async def _run(
    services: Services, sub: str, text: str, *, caller: str, team: str
) -> dict[str, Any]:
    if sub == "list":
        return _reply(await list_page(services, caller=caller, team=team, offset=0))
    if sub == "fee":
        return await _set_fee(services, text, caller=caller, team=team)
    if sub == "channel":
        return await _set_channel(services, text, caller=caller, team=team)
    return await _ask_disconnect(services, text, team=team)


def _usage(refusal: Refusal) -> dict[str, Any]:
    return {"text": f"{refusal.message}\n\n{SPEC.help_text()}"}


def _reply(result: dict[str, Any] | str | Refusal) -> dict[str, Any]:
    if isinstance(result, Refusal):
        return {"text": result.message}
    return {"text": result} if isinstance(result, str) else result


async def _role(services: Services, *, caller: str, team: str) -> Role:
    """The caller's role for `/vendors`: admin, operator, vendor (a vendor row, in any
    state: a disconnected vendor may still see their own row) or anyone."""
    if is_admin(services.settings, caller):
        return "admin"
    if is_operator(services.settings, caller):
        return "operator"
    return "vendor" if await find_vendor(services, team, caller) is not None else "anyone"


async def _set_fee(services: Services, text: str, *, caller: str, team: str) -> dict[str, Any]:
    args = parse_vendor_fee_command(text, currency=services.settings.default_currency)
    if isinstance(args, Refusal):
        return _usage(args)
    changed = await set_fee(
        services, vendor_user_id=args.vendor_user_id, policy=args.policy, caller=caller, team=team
    )
    return _reply(changed)


async def _set_channel(services: Services, text: str, *, caller: str, team: str) -> dict[str, Any]:
    args = parse_vendor_channel_command(text)
    if isinstance(args, Refusal):
        return _usage(args)
    changed = await set_channel(
        services,
        vendor_user_id=args.vendor_user_id,
        channel_id=args.channel_id,
        caller=caller,
        team=team,
    )
    return _reply(changed)


async def _ask_disconnect(services: Services, text: str, *, team: str) -> dict[str, Any]:
    user_id = parse_vendor_disconnect_command(text)
    if isinstance(user_id, Refusal):
        return _usage(user_id)
    vendor = await vendor_to_disconnect(services, team=team, user_id=user_id)
    if isinstance(vendor, Refusal):
        return _reply(vendor)
    return disconnect_confirmation(vendor.id, vendor.slack_user_id, vendor.stripe_account_id)
