"""Connect OAuth `state` values: random, stored only as a SHA-256 hash, single use, short-lived.

The raw state travels in the authorize link and comes back in the callback; the database
holds only its hash, so a leaked table cannot be replayed. `consume` marks a state used with one
conditional UPDATE, so of two callbacks racing with the same URL exactly one wins.

Every function that reads or uses a state takes the workspace it must have been issued for
(`team_id`, keyword, no default: `SLACK_TEAM_ID`, or None when that is unset and any workspace
is served). A state issued for another workspace is, to every caller, one never issued here:
refused as `unknown`, and left as it was.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OAuthState, utcnow

LIFETIME = timedelta(minutes=15)

#: Why `consume` refused a state: never issued here (or malformed), expired, or used already.
Refusal = Literal["unknown", "expired", "used"]


@dataclass(frozen=True)
class StateOwner:
    """Whom a consumed state was issued for: the workspace, the vendor, who asked for the link."""

    team_id: str
    slack_user_id: str
    requested_by: str


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def _issued_for(team_id: str | None) -> ColumnElement[bool]:
    """The rows of states issued for workspace `team_id` (every row when None)."""
    return true() if team_id is None else OAuthState.team_id == team_id


async def issue(
    session: AsyncSession,
    *,
    team_id: str,
    slack_user_id: str,
    requested_by: str,
    now: datetime | None = None,
) -> str:
    """A fresh state (256 random bits, URL-safe) bound to the vendor; only its hash is stored."""
    state = secrets.token_urlsafe(32)
    issued = now or utcnow()
    session.add(
        OAuthState(
            state_hash=state_hash(state),
            team_id=team_id,
            slack_user_id=slack_user_id,
            requested_by=requested_by,
            created_at=issued,
            expires_at=issued + LIFETIME,
        )
    )
    return state


async def consume(
    session: AsyncSession, state: str, *, team_id: str | None, now: datetime | None = None
) -> StateOwner | None:
    """Mark `state` used and return whom it belongs to.

    Refuses (None) a state that is unknown, issued for another workspace than `team_id`,
    expired, or already used, and then changes nothing; the check and the marking are one
    conditional UPDATE, so a replayed URL racing the first use is refused.
    """
    if not state or len(state) > 200:
        return None
    moment = now or utcnow()
    digest = state_hash(state)
    result = await session.execute(
        update(OAuthState)
        .where(
            OAuthState.state_hash == digest,
            _issued_for(team_id),
            OAuthState.used_at.is_(None),
            OAuthState.expires_at > moment,
        )
        .values(used_at=moment)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = (
        await session.execute(
            select(OAuthState.team_id, OAuthState.slack_user_id, OAuthState.requested_by).where(
                OAuthState.state_hash == digest
            )
        )
    ).one()
    return StateOwner(row.team_id, row.slack_user_id, row.requested_by)


async def refusal(
    session: AsyncSession, state: str, *, team_id: str | None, now: datetime | None = None
) -> Refusal:
    """Why `consume` refused `state` for workspace `team_id`, so the vendor can be told.

    A used state is `used` even once it has also expired (that is what the vendor needs to
    hear); a state of another workspace is `unknown` (whatever became of it there), and so is
    a state still valid here, since it was not refused.
    """
    if not state or len(state) > 200:
        return "unknown"
    row = (
        await session.execute(
            select(OAuthState.used_at, OAuthState.expires_at).where(
                OAuthState.state_hash == state_hash(state), _issued_for(team_id)
            )
        )
    ).one_or_none()
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    if row.expires_at <= (now or utcnow()):
        return "expired"
    return "unknown"


async def used_by(session: AsyncSession, state: str, *, team_id: str | None) -> StateOwner | None:
    """Whom an already used `state` was issued for (expired or not); None for any other state,
    and for one issued for another workspace than `team_id`.

    So that someone opening a used link can be told whether it connected them after all.
    """
    if not state or len(state) > 200:
        return None
    row = (
        await session.execute(
            select(OAuthState.team_id, OAuthState.slack_user_id, OAuthState.requested_by).where(
                OAuthState.state_hash == state_hash(state),
                _issued_for(team_id),
                OAuthState.used_at.is_not(None),
            )
        )
    ).one_or_none()
    return None if row is None else StateOwner(row.team_id, row.slack_user_id, row.requested_by)


async def owner(
    session: AsyncSession, state: str, *, team_id: str | None, now: datetime | None = None
) -> StateOwner | None:
    """Whom a still-valid state belongs to, without using it up (Account Links come back twice);
    None for one unknown, issued for another workspace than `team_id`, expired, or used."""
    if not state or len(state) > 200:
        return None
    row = (
        await session.execute(
            select(OAuthState.team_id, OAuthState.slack_user_id, OAuthState.requested_by).where(
                OAuthState.state_hash == state_hash(state),
                _issued_for(team_id),
                OAuthState.used_at.is_(None),
                OAuthState.expires_at > (now or utcnow()),
            )
        )
    ).one_or_none()
    return None if row is None else StateOwner(row.team_id, row.slack_user_id, row.requested_by)
