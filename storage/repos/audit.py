"""The audit log: every state-changing action, who did it, to what, and how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str | None,
    outcome: str,
    team_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction (so it commits with, or without, the change).

    `actor` is a Slack user id, or `stripe` for changes that arrive by webhook.
    """
    session.add(
        AuditEntry(
            team_id=team_id,
            actor=actor,
            action=action,
            target=target,
            outcome=outcome,
            detail=detail,
        )
    )


async def exists(session: AsyncSession, *, action: str, target: str) -> bool:
    """Whether an entry records `action` on `target` (e.g. a dispute already closed)."""
    found = await session.scalar(
        select(AuditEntry.id)
        .where(AuditEntry.action == action, AuditEntry.target == target)
        .limit(1)
    )
    return found is not None


async def latest_actor(
    session: AsyncSession, *, action: str, target: str, outcome: str, since: datetime
) -> str | None:
    """Who last recorded `action` with `outcome` on `target` at or after `since`; None if
    nobody did."""
    actor = await session.scalar(
        select(AuditEntry.actor)
        .where(
            AuditEntry.action == action,
            AuditEntry.target == target,
            AuditEntry.outcome == outcome,
            AuditEntry.created_at >= since,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return str(actor) if actor else None
