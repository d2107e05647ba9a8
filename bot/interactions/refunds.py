"""Refunds from where the charge is: the Refund button on a charge confirmation, and the
modal `/refund` opens with no argument (`bot.refunds.picker`). The modal's submission goes
through `request_refund`, exactly as `/refund <charge> [amount]` does.

Safety is the command's: only operators (checked on the click and again on submit, since a
modal outlives a role change); the amount checked against what remains, in-flight refunds
counted; the idempotency key made from the view id, so a double submit is one refund. Problems
found before Stripe is called (the role, the charge, the amount) are shown in the modal
(`response_action: errors`); the outcome follows privately, as for the command.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.notifications.routing import reply_privately
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refunds.picker import charge_view, check_submission, load_metadata, not_opened
from bot.refunds.requests import request_refund
from bot.refusal import Refusal
from bot.services import Services
from bot.views.refund_modal import AMOUNT, CALLBACK_ID, CHARGE, REASON, REFUND_BUTTON

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    async def on_button(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        user = str(body["user"]["id"])
        if not is_operator(services.settings, user):
            await respond(text=NOT_OPERATOR, response_type="ephemeral", replace_original=False)
            return
        view = await charge_view(
            services,
            team_id=_team(body),
            charge_id=str((body.get("actions") or [{}])[0].get("value") or ""),
            response_url=body.get("response_url") or "",
        )
        problem = view.message if isinstance(view, Refusal) else None
        if not isinstance(view, Refusal):
            problem = await _open(client, str(body["trigger_id"]), view) or None
        if problem:
            await respond(text=problem, response_type="ephemeral", replace_original=False)

    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        team = _team(body)
        meta = load_metadata(view.get("private_metadata"))
        values = _values(view)
        charge_id = str(meta.get("charge") or values.get(CHARGE) or "")
        field = CHARGE if not meta.get("charge") else AMOUNT
        if not is_operator(services.settings, user):
            await ack(response_action="errors", errors={field: NOT_OPERATOR})
            return
        if not charge_id:
            await ack(response_action="errors", errors={CHARGE: "Pick the charge to refund."})
            return
        amount_text = values.get(AMOUNT)
        checked = await check_submission(
            services, team_id=team, charge_id=charge_id, amount_text=amount_text
        )
        if isinstance(checked, Refusal):
            await ack(response_action="errors", errors={checked.field or field: checked.message})
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


async def _open(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> str:
    """Open `view`; what to tell the operator when Slack would not ("" when it opened)."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except Exception as exc:  # expired trigger, Slack down: say so, never a traceback
        error = getattr(getattr(exc, "response", None), "get", lambda _k: None)("error")
        log.warning("refund modal: views.open failed: %r", exc)
        return not_opened(error or type(exc).__name__)
    return ""


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body.get("team_id") or "")


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


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
