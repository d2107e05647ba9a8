"""Vendors: Slack users linked to connected Stripe accounts."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Vendor, utcnow


async def by_account(session: AsyncSession, stripe_account_id: str) -> Vendor | None:
    return await session.scalar(select(Vendor).where(Vendor.stripe_account_id == stripe_account_id))


async def by_slack_user(session: AsyncSession, team_id: str, slack_user_id: str) -> Vendor | None:
    return await session.scalar(
        select(Vendor).where(Vendor.team_id == team_id, Vendor.slack_user_id == slack_user_id)
    )


_BY_SLACK_USER = select(Vendor.__table__).where(
    Vendor.team_id == bindparam("team_id"), Vendor.slack_user_id == bindparam("slack_user_id")
)


async def glance_by_slack_user(
    reader: AsyncConnection | AsyncSession, team_id: str, slack_user_id: str
) -> Vendor | None:
    """`by_slack_user` as a transient copy (in no session: it saves nothing), in one statement
    built once, on a connection or a session (for a form's checks on the ack's path)."""
    params = {"team_id": team_id, "slack_user_id": slack_user_id}
    row = (await reader.execute(_BY_SLACK_USER, params)).first()
    return Vendor(**row._mapping) if row is not None else None


async def page(session: AsyncSession, team_id: str, *, offset: int, limit: int) -> list[Vendor]:
    """Vendors of a workspace, oldest first, `limit` from `offset` (for paged lists)."""
    rows = await session.scalars(
        select(Vendor)
        .where(Vendor.team_id == team_id)
        .order_by(Vendor.created_at, Vendor.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all())


async def count(session: AsyncSession, team_id: str) -> int:
    total = await session.scalar(
        select(func.count()).select_from(Vendor).where(Vendor.team_id == team_id)
    )
    return int(total or 0)


async def lock(session: AsyncSession, vendor_id: int) -> Vendor | None:
    """The vendor row, locked for update (PostgreSQL) so concurrent changes serialize."""
    return await session.scalar(
        select(Vendor)
        .where(Vendor.id == vendor_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def lock_by_account(session: AsyncSession, stripe_account_id: str) -> Vendor | None:
    """`by_account` and `lock` in one statement: the vendor of `stripe_account_id`, read fresh
    and locked for update (PostgreSQL); None when no vendor has that account."""
    return await session.scalar(
        select(Vendor)
        .where(Vendor.stripe_account_id == stripe_account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def save_account(
    session: AsyncSession,
    *,
    team_id: str,
    slack_user_id: str,
    stripe_account_id: str,
    status: str,
    livemode: bool,
    scope: str | None,
    email: str | None,
    charges_enabled: bool,
    payouts_enabled: bool,
) -> Vendor:
    """Create or update the Slack user's vendor row for `stripe_account_id`.

    The caller has checked that the account belongs to no other Slack user; the unique key on
    the account id refuses (IntegrityError) a concurrent claim that slipped past that check.
    """
    now = utcnow()
    vendor = await by_slack_user(session, team_id, slack_user_id)
    if vendor is None:
        vendor = Vendor(team_id=team_id, slack_user_id=slack_user_id, created_at=now)
        session.add(vendor)
    vendor.stripe_account_id = stripe_account_id
    vendor.status = status
    vendor.livemode = livemode
    vendor.scope = scope
    vendor.email = email or vendor.email
    vendor.charges_enabled = charges_enabled
    vendor.payouts_enabled = payouts_enabled
    if status == "connected":
        vendor.connected_at = now
        vendor.disconnected_at = None
    await session.flush()
    return vendor


async def mark_disconnected(session: AsyncSession, stripe_account_id: str) -> Vendor | None:
    """Mark the vendor disconnected; None when unknown or already disconnected (so callers
    announce a disconnection once, whichever of the command and the webhook comes first)."""
    result = await session.execute(
        update(Vendor)
        .where(Vendor.stripe_account_id == stripe_account_id, Vendor.status != "disconnected")
        .values(
            status="disconnected",
            charges_enabled=False,
            payouts_enabled=False,
            disconnected_at=utcnow(),
            updated_at=utcnow(),
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.scalar(
        select(Vendor)
        .where(Vendor.stripe_account_id == stripe_account_id)
        .execution_options(populate_existing=True)
    )
