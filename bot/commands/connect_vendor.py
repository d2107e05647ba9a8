"""`/connect-vendor [@vendor]`: a private Connect with Stripe link, for yourself or a vendor.

Anyone may ask for their own link; sending one to someone else needs an operator or admin.
A vendor already connected is told so (with the account id) instead of getting a new link.
The link itself is made and delivered by `bot.vendors.invitations`.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import BY_NAME
from bot.notifications.routing import reply_privately
from bot.parsing import parse_connect_vendor_command
from bot.permissions import is_operator, not_operator
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.invitations import NO_LINK, send_link
from storage.models import utcnow
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)

SPEC = BY_NAME["/connect-vendor"]
FAILED = NO_LINK


def register(app: AsyncApp, services: Services) -> None:
    async def connect_vendor(ack: AsyncAck, command: dict[str, Any]) -> None:
        received = utcnow()
        text = (command.get("text") or "").strip()
        caller = str(command["user_id"])
        # Everyone may ask for their own link; only operators see how to send one to others.
        usage = SPEC.help_text("operator" if is_operator(services.settings, caller) else "anyone")
        if text.lower() == "help":
            await ack(usage)
            return
        args = parse_connect_vendor_command(text)
        if isinstance(args, Refusal):
            await ack(f"{args.message}\n\n{usage}")
            return
        target = args.vendor_user_id or caller
        if target != caller and not is_operator(services.settings, caller):
            await ack(not_operator(SPEC.action))
            return
        await ack()
        owner = StateOwner(str(command["team_id"]), target, caller)
        try:
            sent = await send_link(services, owner)
            reply = {"text": sent.message} if isinstance(sent, Refusal) else sent
        except Exception:
            log.exception("/connect-vendor failed")
            reply = {"text": FAILED}
        await reply_privately(
            services.sessions,
            caller,
            message=reply,
            key=f"connect-vendor:{command.get('trigger_id') or command.get('response_url')}",
            response_url=command.get("response_url"),
            received_at=received,
        )

    app.command(SPEC.name)(connect_vendor)
