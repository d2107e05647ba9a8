"""Approve / Reject on a charge awaiting a second operator.

The decision is `bot.charges.approvals.decide`'s (operators only, the requester can't approve
their own charge, the first decision wins); a refused click is told why privately. Approve
moves the charge to `pending` and charges it at once; Reject closes it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.charges.approvals import decide
from bot.charges.execute import execute_charge
from bot.notifications.routing import reply_privately
from bot.refusal import Refusal
from bot.services import Services
from bot.views.approvals import APPROVE, REJECT
from storage.models import utcnow

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    async def on_decision(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        received = utcnow()
        await ack()
        approve = action.get("action_id") == APPROVE
        user = str(body["user"]["id"])
        container = body.get("container") or {}
        decided = await decide(
            services,
            str(action.get("value") or ""),
            approve=approve,
            user=user,
            message_ts=container.get("message_ts") or None,
        )
        if isinstance(decided, Refusal):
            await reply_privately(
                services.sessions,
                user,
                message={"text": decided.message},
                key=f"approval-refusal:{body.get('trigger_id') or action.get('action_ts')}",
                response_url=body.get("response_url"),
                received_at=received,
            )
            return
        if approve:  # the request stored at submission; its vendor may have left since
            await execute_charge(services, decided.id, actor=user, recheck_vendor=True)

    app.action(APPROVE)(on_decision)
    app.action(REJECT)(on_decision)
