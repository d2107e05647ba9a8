"""Vendors: Slack users linked to connected Stripe accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Vendor


async def by_account(session: AsyncSession, stripe_account_id: str) -> Vendor | None:
    return await session.scalar(select(Vendor).where(Vendor.stripe_account_id == stripe_account_id))


async def by_slack_user(session: AsyncSession, team_id: str, slack_user_id: str) -> Vendor | None:
    return await session.scalar(
        select(Vendor).where(Vendor.team_id == team_id, Vendor.slack_user_id == slack_user_id)
    )
