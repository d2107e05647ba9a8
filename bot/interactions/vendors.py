"""Buttons of vendor onboarding and `/vendors`: list pages, disconnect confirm/cancel.

Disconnecting calls Stripe's `POST /oauth/deauthorize` and records the vendor disconnected at
once, so the status is right even if the deauthorization webhook never arrives; when it does
arrive it finds the vendor already disconnected and adds no second message.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.commands.vendors import list_page
from bot.permissions import NOT_ADMIN, is_admin
from bot.services import Services
from bot.stripe_ops.oauth import StripeUnavailable, deauthorize
from bot.vendors.connections import record_disconnected
from bot.views.onboarding import CONNECT_LINK_ACTION
from bot.views.vendors import DISCONNECT_CANCEL_ACTION, DISCONNECT_CONFIRM_ACTION, PAGE_ACTION
from storage.models import Vendor
from storage.repos import audit

log = logging.getLogger(__name__)

FAILED = "Sorry, something went wrong on my side. Nothing was changed; please try again."


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions: list[dict[str, Any]] = body.get("actions") or [{}]
    return actions[0]


def _who(body: dict[str, Any]) -> tuple[str, str]:
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(body["user"]["id"]), str(team)


def register(app: AsyncApp, services: Services) -> None:
    @app.action(CONNECT_LINK_ACTION)
    async def link_opened(ack: AsyncAck) -> None:
        await ack()  # a URL button: Slack opens the link, we only acknowledge the click

    @app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$"))
    async def page(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        caller, team = _who(body)
        try:
            offset = max(0, int(str(_action(body).get("value") or "0")))
        except ValueError:
            offset = 0
        reply = await list_page(services, caller=caller, team=team, offset=offset)
        await respond(replace_original=True, response_type="ephemeral", **reply)

    @app.action(DISCONNECT_CANCEL_ACTION)
    async def cancel(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(replace_original=True, text="Cancelled: nothing was disconnected.")

    @app.action(DISCONNECT_CONFIRM_ACTION)
    async def confirm(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        caller, _ = _who(body)
        if not is_admin(services.settings, caller):
            await respond(response_type="ephemeral", replace_original=False, text=NOT_ADMIN)
            return
        try:
            text = await disconnect_vendor(services, caller, _action(body))
        except Exception:
            log.exception("disconnecting a vendor failed")
            text = FAILED
        await respond(replace_original=True, text=text)


async def disconnect_vendor(services: Services, admin: str, action: dict[str, Any]) -> str:
    """Deauthorize the vendor's account at Stripe and record it; the admin's reply text.

    Refuses nothing new when the vendor is already disconnected; leaves the vendor connected
    (and says so) when Stripe cannot be reached.
    """
    raw = str(action.get("value"))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # a row id, within 64 bits
        return FAILED
    vendor_id = int(raw)
    async with services.sessions() as session:
        vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        return "That vendor no longer exists."
    who = f"<@{vendor.slack_user_id}> (`{vendor.stripe_account_id}`)"
    if vendor.status == "disconnected":
        return f"{who} is already disconnected."
    result = await deauthorize(services.stripe, vendor.stripe_account_id)
    if isinstance(result, StripeUnavailable):
        async with services.sessions.begin() as session:
            await audit.record(
                session,
                actor=admin,
                action="vendor.disconnect",
                target=vendor.stripe_account_id,
                outcome="stripe_unavailable",
                team_id=vendor.team_id,
            )
        return f"Stripe could not be reached, so {who} is still connected. Please try again."
    async with services.sessions.begin() as session:
        await record_disconnected(
            session,
            services.settings,
            account_id=vendor.stripe_account_id,
            actor=admin,
            key=f"disconnect:{vendor.stripe_account_id}:{action.get('action_ts', '')}",
        )
    return f"{who} is disconnected. Charges to them are refused until they connect again."
