"""Which account an exchanged OAuth code connected, and whether that is still its connection."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import AuditEntry
from storage.repos import oauth_codes


async def test_a_code_names_its_account_until_a_later_code_connects_it(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        for code, account in (("ac_1", "acct_1"), ("ac_2", "acct_1"), ("ac_3", "acctX1")):
            assert await oauth_codes.remember(
                session, code=code, account_id=account, team_id="T1", actor="U1"
            )
        # Ids Stripe would never issue are not stored (the audit target holds 128 characters).
        assert not await oauth_codes.remember(
            session, code="ac_4", account_id="acct_" + "x" * 90, team_id="T1", actor="U1"
        )
    async with sessions() as session:
        assert await oauth_codes.revoked_account(session, "ac_1") is None  # ac_2 came later
        # `_` is no wildcard: acctX1's later code is not taken for one of acct_1's.
        assert await oauth_codes.revoked_account(session, "ac_2") == "acct_1"
        assert await oauth_codes.revoked_account(session, "ac_3") == "acctX1"
        assert await oauth_codes.revoked_account(session, "ac_unknown") is None
        targets = (await session.scalars(select(AuditEntry.target))).all()
    assert all("ac_" not in str(t) for t in targets)  # only hashes of the codes are kept
