"""`/notify` subscriptions on every backend: a double add is one row (with and without a
channel), removal says what it removed, matching reads an event type's groups."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import NotifySubscription
from storage.repos import notify_subscriptions as subs


async def test_adding_twice_is_one_row_and_removal_says_what_went(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as s:
        added = [
            await subs.add(s, team_id="T1", event_type=t, channel_id=c, by="U1")
            for t, c in [
                ("customer.created", None),
                ("customer.created", None),
                ("customer.created", "C1"),
                ("customer.created", "C1"),
                ("payout.*", "C2"),
                ("customer.created", "C2"),
            ]
        ]
        await subs.add(s, team_id="T2", event_type="customer.created", channel_id=None, by="U9")
    assert added == [True, False, True, False, True, True]
    async with sessions() as s:
        rows = await subs.of_team(s, "T1")
        assert [(r.event_type, r.channel_id) for r in rows] == [
            ("customer.created", None),
            ("customer.created", "C1"),
            ("customer.created", "C2"),
            ("payout.*", "C2"),
        ]
        found = await subs.matching(s, team_id="T1", patterns=["payout.paid", "payout.*"])
        assert [(r.event_type, r.channel_id) for r in found] == [("payout.*", "C2")]
        everyone = await subs.matching(s, team_id=None, patterns=["customer.created"])
        assert sorted(r.team_id for r in everyone) == ["T1", "T1", "T1", "T2"]
    async with sessions.begin() as s:
        assert await subs.remove(s, team_id="T1", event_type="payout.*", channel_id="C9") == []
        assert await subs.remove(s, team_id="T1", event_type="customer.created", channel_id=None)
        gone = await subs.remove(
            s, team_id="T1", event_type="customer.created", channel_id=subs.EVERY_CHANNEL
        )
        assert sorted(gone, key=str) == ["C1", "C2"]
    async with sessions() as s:
        assert [r.event_type for r in await subs.of_team(s, "T1")] == ["payout.*"]
        assert len(await subs.of_team(s, "T2")) == 1


async def test_the_keys_hold_without_the_repo(engine: AsyncEngine) -> None:
    """The database itself refuses a second row without a channel (the partial index)."""
    sessions = session_factory(engine)
    row = {"team_id": "T1", "event_type": "customer.created", "channel_id": None, "created_by": "U"}
    async with sessions.begin() as s:
        s.add(NotifySubscription(**row))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as s:
            s.add(NotifySubscription(**row))
