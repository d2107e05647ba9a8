"""`/vendors`: the vendor list, and admins' `fee`, `channel` and `disconnect` subcommands.

Operators and admins see every vendor; a vendor sees only their own row; anyone else is
refused. Changing a vendor needs an admin, and every change is audited.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME, Role
from bot.money import FeePolicy, Refusal, describe_fee_policy
from bot.notifications.routing import reply_privately
from bot.parsing import (
    parse_vendor_channel_command,
    parse_vendor_disconnect_command,
    parse_vendor_fee_command,
    split_args,
)
from bot.permissions import is_admin, is_operator, not_admin
from bot.services import Services
from bot.views.vendors import PAGE_SIZE, VendorLine, disconnect_confirmation, vendor_list
from storage.models import Vendor, utcnow
from storage.repos import audit, vendors

log = logging.getLogger(__name__)

SPEC = BY_NAME["/vendors"]
NOT_ALLOWED = (
    "Only connectbot operators, admins and vendors can list vendors. "
    "Connect your own Stripe account with `/connect-vendor`."
)
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
        return await list_page(services, caller=caller, team=team, offset=0)
    if sub == "fee":
        return {"text": await _set_fee(services, text, caller=caller, team=team)}
    if sub == "channel":
        return {"text": await _set_channel(services, text, caller=caller, team=team)}
    return await _ask_disconnect(services, text, team=team)


def _usage(refusal: Refusal) -> dict[str, Any]:
    return {"text": f"{refusal.message}\n\n{SPEC.help_text()}"}


def _fee_text(services: Services, vendor: Vendor) -> str:
    if vendor.fee_percent is None and vendor.fee_fixed is None:
        settings = services.settings
        default = FeePolicy(
            settings.application_fee_percent,
            settings.application_fee_fixed,
            settings.default_currency,
        )
        return f"default ({describe_fee_policy(default)})"
    policy = FeePolicy(
        vendor.fee_percent if vendor.fee_percent is not None else Decimal(0),
        vendor.fee_fixed or 0,
        vendor.fee_currency or services.settings.default_currency,
    )
    return describe_fee_policy(policy)


def _line(services: Services, vendor: Vendor) -> VendorLine:
    return VendorLine(
        slack_user_id=vendor.slack_user_id,
        account_id=vendor.stripe_account_id,
        status=vendor.status,
        charges_enabled=vendor.charges_enabled,
        payouts_enabled=vendor.payouts_enabled,
        fee=_fee_text(services, vendor),
        channel_id=vendor.channel_id,
    )


async def list_page(services: Services, *, caller: str, team: str, offset: int) -> dict[str, Any]:
    """A page of the list as `caller` may see it (all, their own row, or a refusal)."""
    async with services.sessions() as session:
        if is_operator(services.settings, caller):
            total = await vendors.count(session, team)
            offset = max(0, min(offset, max(0, total - 1)))
            rows = await vendors.page(session, team, offset=offset, limit=PAGE_SIZE)
            lines = [_line(services, v) for v in rows]
            return vendor_list(lines, offset=offset, total=total)
        own = await vendors.by_slack_user(session, team, caller)
        if own is None:
            return {"text": NOT_ALLOWED}
        return vendor_list([_line(services, own)], offset=0, total=1, own_only=True)


async def _role(services: Services, *, caller: str, team: str) -> Role:
    """The caller's role for `/vendors`: admin, operator, vendor (a vendor row, in any
    state: a disconnected vendor may still see their own row) or anyone."""
    if is_admin(services.settings, caller):
        return "admin"
    if is_operator(services.settings, caller):
        return "operator"
    return "vendor" if await _vendor(services, team, caller) is not None else "anyone"


async def _vendor(services: Services, team: str, user_id: str) -> Vendor | None:
    async with services.sessions() as session:
        return await vendors.by_slack_user(session, team, user_id)


async def _set_fee(services: Services, text: str, *, caller: str, team: str) -> str:
    args = parse_vendor_fee_command(text, currency=services.settings.default_currency)
    if isinstance(args, Refusal):
        return _usage(args)["text"]
    async with services.sessions.begin() as session:
        vendor = await vendors.by_slack_user(session, team, args.vendor_user_id)
        if vendor is None:
            return f"<@{args.vendor_user_id}> is not a vendor. Connect them with `/connect-vendor`."
        policy = args.policy
        vendor.fee_percent = policy.percent if policy else None
        vendor.fee_fixed = policy.fixed if policy else None
        vendor.fee_currency = policy.fixed_currency if policy else None
        described = describe_fee_policy(policy) if policy else "the default"
        await audit.record(
            session,
            actor=caller,
            action="vendor.fee",
            target=vendor.stripe_account_id,
            outcome="updated",
            team_id=team,
            detail={"vendor": vendor.slack_user_id, "fee": described},
        )
        fee = _fee_text(services, vendor)
    return f"The platform fee for <@{args.vendor_user_id}> is now {fee}."


async def _set_channel(services: Services, text: str, *, caller: str, team: str) -> str:
    args = parse_vendor_channel_command(text)
    if isinstance(args, Refusal):
        return _usage(args)["text"]
    async with services.sessions.begin() as session:
        vendor = await vendors.by_slack_user(session, team, args.vendor_user_id)
        if vendor is None:
            return f"<@{args.vendor_user_id}> is not a vendor. Connect them with `/connect-vendor`."
        vendor.channel_id = args.channel_id
        await audit.record(
            session,
            actor=caller,
            action="vendor.channel",
            target=vendor.stripe_account_id,
            outcome="updated",
            team_id=team,
            detail={"vendor": vendor.slack_user_id, "channel": args.channel_id},
        )
    where = f"<#{args.channel_id}>" if args.channel_id else "the ops channel"
    return f"Notifications for <@{args.vendor_user_id}> now go to {where}."


async def _ask_disconnect(services: Services, text: str, *, team: str) -> dict[str, Any]:
    user_id = parse_vendor_disconnect_command(text)
    if isinstance(user_id, Refusal):
        return _usage(user_id)
    vendor = await _vendor(services, team, user_id)
    if vendor is None:
        return {"text": f"<@{user_id}> is not a vendor."}
    if vendor.status == "disconnected":
        return {"text": f"<@{user_id}> (`{vendor.stripe_account_id}`) is already disconnected."}
    return disconnect_confirmation(vendor.id, vendor.slack_user_id, vendor.stripe_account_id)
