"""Refunds from where the charge is: the Refund button on a charge confirmation, and the
picker `/refund` opens with no argument. Both open the refund modal; its submission goes
through `request_refund`, exactly as `/refund <charge> [amount]` does.

Safety is the command's: only operators (checked on the click and again on submit, since a
modal outlives a role change); the amount checked against what remains, in-flight refunds
counted; the idempotency key made from the view id, so a double submit is one refund. Problems
found before Stripe is called (the role, the charge, the amount) are shown in the modal
(`response_action: errors`); the outcome follows privately, as for the command.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.money import Money, Refusal, resolve_refund_amount
from bot.notifications.routing import reply_privately
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refunding import request_refund
from bot.services import Services
from bot.views.refund_modal import (
    AMOUNT,
    CALLBACK_ID,
    CHARGE,
    PICKER_LIMIT,
    REASON,
    REFUND_BUTTON,
    refund_modal,
)
from storage.models import utcnow
from storage.repos import refundable

log = logging.getLogger(__name__)

NOTHING_TO_REFUND = "There is no succeeded charge with anything left to refund in this workspace."
NOT_OPENED = "The refund form could not open (Slack said `{error}`). Try again, or use `/refund`."


async def open_picker(services: Services, client: AsyncWebClient, command: dict[str, Any]) -> str:
    """`/refund` with no argument (an operator's): open the modal listing the recent charges
    with something left to refund. Returns what to answer privately ("" when it opened)."""
    team = str(command["team_id"])
    async with services.sessions() as session:
        choices = await refundable.recent(session, team_id=team, limit=PICKER_LIMIT)
    if not choices:
        return NOTHING_TO_REFUND
    meta = {"response_url": command.get("response_url") or "", "received_at": utcnow()}
    view = refund_modal(charge=None, choices=choices, private_metadata=_dump(meta))
    return await _open(client, str(command["trigger_id"]), view)


def register(app: AsyncApp, services: Services) -> None:
    async def on_button(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        user = str(body["user"]["id"])
        if not is_operator(services.settings, user):
            await respond(text=NOT_OPERATOR, response_type="ephemeral", replace_original=False)
            return
        charge_id = str((body.get("actions") or [{}])[0].get("value") or "")
        team = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
        async with services.sessions() as session:
            charge = await refundable.one(session, team_id=team, charge_id=charge_id)
        problem = _problem(charge_id, charge)
        if problem is None and charge is not None:
            meta = {"charge": charge_id, "response_url": body.get("response_url") or ""}
            view = refund_modal(charge=charge, private_metadata=_dump(meta))
            problem = await _open(client, str(body["trigger_id"]), view) or None
        if problem:
            await respond(text=problem, response_type="ephemeral", replace_original=False)

    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        team = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
        meta = _load(view.get("private_metadata"))
        values = _values(view)
        charge_id = str(meta.get("charge") or values.get(CHARGE) or "")
        field = CHARGE if not meta.get("charge") else AMOUNT
        if not is_operator(services.settings, user):
            await ack(response_action="errors", errors={field: NOT_OPERATOR})
            return
        if not charge_id:
            await ack(response_action="errors", errors={CHARGE: "Pick the charge to refund."})
            return
        async with services.sessions() as session:
            charge = await refundable.one(session, team_id=team, charge_id=charge_id)
        problem = _problem(charge_id, charge)
        amount_text = values.get(AMOUNT)
        if problem is None and charge is not None:
            checked = resolve_refund_amount(
                amount_text,
                charged=Money(charge.amount, charge.currency),
                already_refunded=charge.refunded,
            )
            problem = checked.message if isinstance(checked, Refusal) else None
            field = AMOUNT if isinstance(checked, Refusal) else field
        if problem:
            await ack(response_action="errors", errors={field: problem})
            return
        await ack()  # closes the modal; Stripe comes next and the answer follows privately
        reason = (values.get(REASON) or "").strip()
        result = await request_refund(
            services,
            team_id=team,
            actor=user,
            ref=charge_id,
            amount_text=amount_text,
            request_key=f"view:{view['id']}",
            reason=reason or None,
        )
        text = result.message if isinstance(result, Refusal) else result.text
        await reply_privately(
            services.sessions,
            user,
            message={"text": text},
            key=f"refund-reply:view:{view['id']}",
            response_url=_text(meta.get("response_url")),
        )

    app.action(REFUND_BUTTON)(on_button)
    app.view(CALLBACK_ID)(on_submit)


def _problem(charge_id: str, charge: refundable.RefundableCharge | None) -> str | None:
    """Why `charge` cannot be refunded at all, or None."""
    if charge is None:
        return f"No succeeded connectbot charge `{charge_id}` in this workspace."
    if charge.remaining <= 0:
        return f"Charge `{charge_id}` has already been fully refunded."
    return None


async def _open(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> str:
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except Exception as exc:  # expired trigger, Slack down: say so, never a traceback
        error = getattr(getattr(exc, "response", None), "get", lambda _k: None)("error")
        log.warning("refund modal: views.open failed: %r", exc)
        return NOT_OPENED.format(error=error or type(exc).__name__)
    return ""


def _values(view: dict[str, Any]) -> dict[str, str | None]:
    """block_id → the text typed or the option value picked."""
    values = (view.get("state") or {}).get("values") or {}
    found: dict[str, str | None] = {}
    for block, actions in values.items():
        state: dict[str, Any] = (
            next(iter(actions.values()), {}) if isinstance(actions, dict) else {}
        )
        option = state.get("selected_option")
        found[block] = option.get("value") if isinstance(option, dict) else state.get("value")
    return found


def _dump(meta: dict[str, Any]) -> str:
    return json.dumps({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in meta.items()})


def _load(text: Any) -> dict[str, Any]:
    try:
        meta = json.loads(text or "{}")
    except (TypeError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
