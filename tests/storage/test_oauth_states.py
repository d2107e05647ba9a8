"""Connect OAuth `state` values on each backend: used once, within 15 minutes, only if issued here
(in this workspace).

`consume` is what stands between a callback URL and a second code exchange; `refusal` says
why it refused, for the page the vendor sees.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, session_factory
from storage.models import OAuthState, utcnow
from storage.repos import oauth_states
from storage.repos.oauth_states import StateOwner

OWNER = StateOwner(team_id="T1", slack_user_id="U0VENDOR", requested_by="U0OPERATOR")


async def issue(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions.begin() as session:
        return await oauth_states.issue(
            session,
            team_id=OWNER.team_id,
            slack_user_id=OWNER.slack_user_id,
            requested_by=OWNER.requested_by,
        )


async def consume(
    sessions: async_sessionmaker[AsyncSession],
    state: str,
    now: datetime | None = None,
    team_id: str | None = OWNER.team_id,
) -> tuple[StateOwner | None, oauth_states.Refusal | None]:
    """What `consume` returned for workspace `team_id` and, when it refused, `refusal` in the
    same transaction."""
    async with sessions.begin() as session:
        owner = await oauth_states.consume(session, state, team_id=team_id, now=now)
        why = (
            None if owner else await oauth_states.refusal(session, state, team_id=team_id, now=now)
        )
        return owner, why


async def test_a_state_is_consumed_once_and_then_refused_as_used(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    state = await issue(sessions)
    assert await consume(sessions, state) == (OWNER, None)
    assert await consume(sessions, state) == (None, "used")
    # Used and, later, expired too: the vendor hears it was used, which is what happened.
    assert await consume(sessions, state, now=utcnow() + timedelta(hours=1)) == (None, "used")
    async with sessions() as session:
        row = (await session.scalars(select(OAuthState))).one()
    assert row.used_at is not None and row.state_hash == oauth_states.state_hash(state)


async def test_a_state_expires_after_fifteen_minutes(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    state = await issue(sessions)
    async with sessions() as session:
        issued = (await session.scalars(select(OAuthState))).one().created_at
    end = issued + timedelta(minutes=15)
    assert await consume(sessions, state, now=end) == (None, "expired")
    assert await consume(sessions, state, now=end + timedelta(days=1)) == (None, "expired")
    # Refusing it did not use it up: just inside its lifetime it is still good, once.
    assert await consume(sessions, state, now=end - timedelta(seconds=1)) == (OWNER, None)
    assert await consume(sessions, state, now=end - timedelta(seconds=1)) == (None, "used")


async def test_states_never_issued_are_refused_as_unknown(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    state = await issue(sessions)
    for forged in ("", "not-a-state-we-issued", state[:-1], state + "x", "s" * 201):
        assert await consume(sessions, forged) == (None, "unknown"), forged
    async with sessions() as session:
        assert (await session.scalars(select(OAuthState))).one().used_at is None
    assert await consume(sessions, state) == (OWNER, None)


async def test_racing_consumes_from_two_engines_have_one_winner(
    engine: AsyncEngine, database_url: str
) -> None:
    sessions = session_factory(engine)
    states = [await issue(sessions) for _ in range(5)]
    other = create_engine(database_url)  # a second process's connection pool
    try:
        on_other = session_factory(other)
        results = await asyncio.gather(
            *(consume(on, state) for state in states for on in (sessions, on_other, sessions))
        )
    finally:
        await other.dispose()
    for n in range(len(states)):
        three = results[3 * n : 3 * n + 3]
        assert sorted(str(r) for r in three) == sorted(
            [str((OWNER, None)), str((None, "used")), str((None, "used"))]
        ), three


async def test_used_by_names_the_owner_of_a_used_state_only(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    state = await issue(sessions)
    async with sessions() as session:
        assert (
            await oauth_states.used_by(session, state, team_id="T1") is None
        )  # issued, not used yet
        assert await oauth_states.used_by(session, "never-issued", team_id="T1") is None
        assert await oauth_states.used_by(session, "", team_id="T1") is None
    await consume(sessions, state)
    async with sessions() as session:
        assert await oauth_states.used_by(session, state, team_id="T1") == OWNER


async def test_a_state_of_another_workspace_is_refused_as_unknown_and_left_unused(
    engine: AsyncEngine,
) -> None:
    # SLACK_TEAM_ID changed since the link was sent: to T2 the state of T1 is one never issued
    # here, by every function that reads or uses a state, and refusing it does not use it up.
    sessions = session_factory(engine)
    state = await issue(sessions)
    for _ in range(2):
        assert await consume(sessions, state, team_id="T2") == (None, "unknown")
    async with sessions() as session:
        assert await oauth_states.owner(session, state, team_id="T2") is None
        assert await oauth_states.owner(session, state, team_id="T1") == OWNER
        assert (await session.scalars(select(OAuthState))).one().used_at is None
    assert await consume(sessions, state, team_id="T1") == (OWNER, None)
    # Used now, in T1: T2 still hears of nothing it issued; T1 (and any workspace) hears `used`.
    assert await consume(sessions, state, team_id="T2") == (None, "unknown")
    assert await consume(sessions, state, team_id="T1") == (None, "used")
    assert await consume(sessions, state, team_id=None) == (None, "used")
    async with sessions() as session:
        assert await oauth_states.used_by(session, state, team_id="T2") is None
        assert await oauth_states.used_by(session, state, team_id="T1") == OWNER


async def test_with_no_workspace_set_a_state_of_any_workspace_is_good(engine: AsyncEngine) -> None:
    # No SLACK_TEAM_ID: connectbot serves whichever workspace installed it.
    sessions = session_factory(engine)
    state = await issue(sessions)
    async with sessions() as session:
        assert await oauth_states.owner(session, state, team_id=None) == OWNER
    assert await consume(sessions, state, team_id=None) == (OWNER, None)
    async with sessions() as session:
        assert await oauth_states.used_by(session, state, team_id=None) == OWNER
