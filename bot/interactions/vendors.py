"""Buttons of vendor onboarding and `/vendors`: list pages, disconnect confirm/cancel.

Thin: `bot.vendors.directory` makes the pages and `bot.vendors.disconnect` disconnects.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.permissions import NOT_ADMIN, is_admin
from bot.refusal import Refusal
from bot.services import Services
from bot.vendors.directory import list_page
from bot.vendors.disconnect import disconnect_vendor
from bot.views.onboarding import CONNECT_LINK_ACTION
from bot.views.vendors import DISCONNECT_CANCEL_ACTION, DISCONNECT_CONFIRM_ACTION, PAGE_ACTION

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
        page = await list_page(services, caller=caller, team=team, offset=offset)
        reply = {"text": page.message} if isinstance(page, Refusal) else page
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
            text = await _disconnect(services, caller, _action(body))
        except Exception:
            log.exception("disconnecting a vendor failed")
            text = FAILED
        await respond(replace_original=True, text=text)


async def _disconnect(services: Services, admin: str, action: dict[str, Any]) -> str:
    """Disconnect the vendor whose row id the button carries; the admin's reply text."""
    raw = str(action.get("value"))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # a row id, within 64 bits
        return FAILED
    clicked = str(action.get("action_ts", ""))
    done = await disconnect_vendor(services, admin, int(raw), clicked=clicked)
    return done.message if isinstance(done, Refusal) else done
