"""The unique keys that make retries safe hold on every backend: a second write collides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import (
    Base,
    Charge,
    Customer,
    OAuthState,
    OutboxMessage,
    StripeEvent,
    Vendor,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def vendor(user: str, account: str) -> Vendor:
    return Vendor(team_id="T1", slack_user_id=user, stripe_account_id=account, status="connected")


def customer(email: str, stripe_id: str, team: str = "T1") -> Customer:
    return Customer(team_id=team, email=email, stripe_customer_id=stripe_id)


def charge(key: str, vendor_id: int, charge_id: str) -> Charge:
    return Charge(
        id=charge_id,
        team_id="T1",
        vendor_id=vendor_id,
        requested_by="U1",
        amount=10000,
        currency="usd",
        application_fee_amount=1000,
        idempotency_key=key,
        status="pending",
    )


def event(event_id: str) -> StripeEvent:
    return StripeEvent(id=event_id, type="account.updated", livemode=False, payload={})


def outbox(key: str) -> OutboxMessage:
    return OutboxMessage(dedupe_key=key, kind="post", target="C1", payload={"text": "hi"})


async def _insert_twice(engine: AsyncEngine, first: Base, second: Base) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add(first)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(second)


async def test_one_vendor_per_stripe_account(engine: AsyncEngine) -> None:
    await _insert_twice(engine, vendor("U1", "acct_1"), vendor("U2", "acct_1"))


async def test_one_vendor_per_slack_user_per_workspace(engine: AsyncEngine) -> None:
    await _insert_twice(engine, vendor("U1", "acct_1"), vendor("U1", "acct_2"))


async def test_one_customer_per_email_per_workspace(engine: AsyncEngine) -> None:
    await _insert_twice(
        engine, customer("jane@example.com", "cus_1"), customer("jane@example.com", "cus_2")
    )


async def test_same_email_in_another_workspace_is_another_customer(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add_all(
            [customer("jane@example.com", "cus_1"), customer("jane@example.com", "cus_2", "T2")]
        )
    async with sessions() as session:
        assert len((await session.scalars(select(Customer))).all()) == 2


async def test_customer_emails_are_stored_lowercase(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with session_factory(engine).begin() as session:
            session.add(customer("Jane@Example.com", "cus_1"))


async def test_charge_idempotency_key_is_unique(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        v = vendor("U1", "acct_1")
        session.add(v)
    await _insert_twice(
        engine, charge("view-V1", v.id, "cb_ch_1"), charge("view-V1", v.id, "cb_ch_2")
    )


async def test_stripe_event_is_stored_once(engine: AsyncEngine) -> None:
    await _insert_twice(engine, event("evt_1"), event("evt_1"))


async def test_outbox_dedupe_key_is_unique(engine: AsyncEngine) -> None:
    await _insert_twice(
        engine, outbox("charge:cb_ch_1:succeeded"), outbox("charge:cb_ch_1:succeeded")
    )


async def test_oauth_state_hash_is_unique(engine: AsyncEngine) -> None:
    def state() -> OAuthState:
        return OAuthState(
            state_hash="a" * 64,
            team_id="T1",
            slack_user_id="U1",
            requested_by="U1",
            expires_at=NOW + timedelta(minutes=15),
        )

    await _insert_twice(engine, state(), state())


async def test_timestamps_come_back_as_aware_utc(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add(
            OAuthState(
                state_hash="b" * 64,
                team_id="T1",
                slack_user_id="U1",
                requested_by="U1",
                expires_at=NOW,
            )
        )
    async with sessions() as session:
        row = (await session.scalars(select(OAuthState))).one()
    assert row.expires_at == NOW and row.expires_at.tzinfo is not None


async def test_charge_must_reference_a_vendor(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with session_factory(engine).begin() as session:
            session.add(charge("k", 999, "cb_ch_9"))
