"""Which Stripe account each Connect OAuth authorization code connected.

When a code is presented to Stripe a second time, Stripe refuses it and revokes every token
issued with it; the answer does not say which account that was. Remembering (only a hash of)
each exchanged code lets connectbot find the vendor that revocation disconnected. The entries
live in the audit log (action `vendor.oauth_code`, target `acct_…:<code hash>`): exchanging a
code is itself a change worth auditing.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry
from storage.repos import audit

ACTION = "vendor.oauth_code"
_HASH_CHARS = 40  # 160 bits of SHA-256: unique enough, and the target fits its 128 characters
_MAX_ACCOUNT = 80


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:_HASH_CHARS]


async def remember(
    session: AsyncSession, *, code: str, account_id: str, team_id: str, actor: str
) -> bool:
    """Record that `code` connected `account_id`. Refuses (False) an id too long to store."""
    if len(account_id) > _MAX_ACCOUNT or ":" in account_id:
        return False
    await audit.record(
        session,
        actor=actor,
        action=ACTION,
        target=f"{account_id}:{code_hash(code)}",
        outcome="exchanged",
        team_id=team_id,
    )
    return True


async def revoked_account(session: AsyncSession, code: str) -> str | None:
    """The account whose current connection came from `code`, if any.

    None when the code was never exchanged here, or when the account connected again with a
    later code since (revoking the old code's tokens leaves that later connection alone).
    """
    row = await session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == ACTION, AuditEntry.target.endswith(":" + code_hash(code)))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if row is None or row.target is None:
        return None
    account_id = row.target.rsplit(":", 1)[0]
    latest = await session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.action == ACTION,
            AuditEntry.target.startswith(account_id + ":", autoescape=True),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return account_id if latest == row.id else None
