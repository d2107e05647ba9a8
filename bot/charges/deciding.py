"""What deciding a charge and deciding a cart share: who may decide, the audit row, and the
edit of the ops channel's request message that names who decided."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refusal import Refusal
from storage.models import Cart, Charge
from storage.repos import audit, outbox


def decider_refusal(
    settings: Settings, row: Charge | Cart | None, *, noun: str, user: str, approve: bool
) -> Refusal | None:
    """Why `user` may not decide `row` (a `noun`: "charge" or "cart"); None when they may.

    Refuses non-operators, an unknown row, and the requester approving their own request
    (rejecting it is allowed)."""
    if not is_operator(settings, user):
        return Refusal(NOT_OPERATOR)
    if row is None:
        return Refusal(f"That {noun} doesn't exist.")
    if approve and row.requested_by == user:
        return Refusal(
            f"You asked for this {noun}, so you can't approve it: another operator must."
        )
    return None


async def audit_decision(
    session: AsyncSession,
    row: Charge | Cart | None,
    *,
    target: str,
    actor: str,
    action: str,
    outcome: str,
    reason: str | None = None,
) -> None:
    """One audit row for a decision or a refused one (`reason`), in the row's team if known."""
    await audit.record(
        session,
        team_id=row.team_id if row else None,
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        detail={"reason": reason} if reason else None,
    )


async def update_ops_request(
    session: AsyncSession,
    channel: str,
    payload: dict[str, Any],
    *,
    request_key: str,
    dedupe_key: str,
) -> None:
    """Queue the edit of the ops-channel message posted under `request_key` (its `…:ops`
    message: an approval request, a cart's confirmation) to `payload`, once per `dedupe_key`."""
    await outbox.enqueue(
        session,
        kind="update",
        target=channel,
        payload={**payload, "update_of": f"{request_key}:ops"},
        dedupe_key=dedupe_key,
    )
