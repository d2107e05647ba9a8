"""Money summaries per vendor, read from connectbot's own charge rows (for /fees and the digest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery

from storage.models import AuditEntry, Charge, Customer, Vendor
from storage.repos.fee_selection import counted_charges


class _Net:
    """`net`, for sums in minor units: what vendors keep, gross - refunds - fees."""

    gross: int
    fees: int
    refunds: int

    @property
    def net(self) -> int:
        return self.gross - self.refunds - self.fees


@dataclass(frozen=True)
class VendorTotals(_Net):
    """One vendor in one currency over a period; every amount in minor units.

    `fees` is the platform's fee net of fee refunds; `net` is what the vendor keeps:
    gross - refunds - fees.
    """

    vendor_user_id: str
    stripe_account_id: str
    currency: str
    count: int
    gross: int
    fees: int
    refunds: int


@dataclass(frozen=True)
class CurrencyTotals(_Net):
    """All vendors together in one currency over a period; every amount in minor units."""

    currency: str
    vendors: int
    count: int
    gross: int
    fees: int
    refunds: int


def _per_vendor(
    team_id: str | None, start: datetime, end: datetime, vendor_user_id: str | None
) -> Subquery:
    """Succeeded charges created in [start, end), of one team (None: all), summed per vendor id
    and currency; one vendor's (by Slack user) when given. Summed before any join, so a period
    of many charges is one pass over them and the joins see one row per vendor."""
    query = (
        select(
            Charge.vendor_id.label("vendor_id"),
            Charge.currency.label("currency"),
            func.count(Charge.id).label("count"),
            func.sum(Charge.amount).label("gross"),
            func.sum(Charge.application_fee_amount - Charge.fee_refunded).label("fees"),
            func.sum(Charge.amount_refunded).label("refunds"),
        )
        .where(*counted_charges(team_id, start, end, vendor_user_id))
        .group_by(Charge.vendor_id, Charge.currency)
    )
    return query.subquery()


async def currency_totals(
    session: AsyncSession,
    *,
    team_id: str | None,
    start: datetime,
    end: datetime,
    vendor_user_id: str | None = None,
) -> list[CurrencyTotals]:
    """Succeeded charges created in [start, end) summed per currency across all vendors (one
    aggregate query, however many vendors), by currency code; one vendor's when given."""
    per_vendor = _per_vendor(team_id, start, end, vendor_user_id)
    rows = await session.execute(
        select(
            per_vendor.c.currency,
            func.count(per_vendor.c.vendor_id),
            func.sum(per_vendor.c.count),
            func.sum(per_vendor.c.gross),
            func.sum(per_vendor.c.fees),
            func.sum(per_vendor.c.refunds),
        )
        .group_by(per_vendor.c.currency)
        .order_by(per_vendor.c.currency)
    )
    return [
        CurrencyTotals(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]))
        for r in rows.all()
    ]


async def fee_summary(
    session: AsyncSession,
    *,
    team_id: str | None,
    start: datetime,
    end: datetime,
    vendor_user_id: str | None = None,
    top: int | None = None,
) -> list[VendorTotals]:
    """Succeeded charges created in [start, end), grouped by vendor and currency; by currency,
    then most gross first (ties by vendor). With `top`, only the `top` vendors with the most
    gross in each currency (a window function: one query, never a loop over vendors)."""
    per_vendor = _per_vendor(team_id, start, end, vendor_user_id)
    if top is not None:
        # Ties on gross go by the vendor's Slack id, which only the join knows. So first keep,
        # before any join, the rows that fewer than `top` rows out-gross (a superset of the top
        # `top`, holding every row ahead of any of them), then join and rank only those.
        by_gross = (
            func.rank()
            .over(partition_by=per_vendor.c.currency, order_by=per_vendor.c.gross.desc())
            .label("by_gross")
        )
        contenders = select(per_vendor, by_gross).subquery()
        per_vendor = select(contenders).where(contenders.c.by_gross <= top).subquery()
    rank = (
        func.row_number()
        .over(
            partition_by=per_vendor.c.currency,
            order_by=(per_vendor.c.gross.desc(), Vendor.slack_user_id),
        )
        .label("rank")
    )
    ranked = (
        select(
            Vendor.slack_user_id.label("user"),
            Vendor.stripe_account_id.label("account"),
            per_vendor.c.currency,
            per_vendor.c.count,
            per_vendor.c.gross,
            per_vendor.c.fees,
            per_vendor.c.refunds,
            rank,
        )
        .join(Vendor, Vendor.id == per_vendor.c.vendor_id)
        .subquery()
    )
    query = select(ranked).order_by(ranked.c.currency, ranked.c.rank)
    if top is not None:
        query = query.where(ranked.c.rank <= top)
    rows = await session.execute(query)
    return [
        VendorTotals(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]))
        for r in rows.all()
    ]


@dataclass(frozen=True)
class RecentCharge:
    """One charge as the App Home lists it (amount in minor units; customer email or None)."""

    id: str
    amount: int
    currency: str
    status: str
    vendor_user_id: str
    customer_email: str | None
    created_at: datetime
    payment_intent_id: str | None = None
    account: str | None = None  # the vendor's Stripe account, which holds the PaymentIntent
    livemode: bool = False


async def recent_charges(
    session: AsyncSession, *, team_id: str, limit: int = 10, vendor_user_id: str | None = None
) -> list[RecentCharge]:
    """The newest `limit` charges of the workspace (any status), newest first; one vendor's
    only when `vendor_user_id` is given."""
    query = (
        select(
            Charge, Vendor.slack_user_id, Customer.email, Vendor.stripe_account_id, Vendor.livemode
        )
        .join(Vendor, Vendor.id == Charge.vendor_id)
        .outerjoin(Customer, Customer.id == Charge.customer_id)
        .where(Charge.team_id == team_id)
        .order_by(Charge.created_at.desc(), Charge.id.desc())
        .limit(limit)
    )
    if vendor_user_id is not None:
        query = query.where(Vendor.slack_user_id == vendor_user_id)
    rows = await session.execute(query)
    return [
        RecentCharge(
            c.id,
            c.amount,
            c.currency,
            c.status,
            str(user),
            email and str(email),
            c.created_at,
            c.payment_intent_id,
            str(account),
            bool(livemode),
        )
        for c, user, email, account, livemode in rows.all()
    ]


@dataclass(frozen=True)
class DisputeCounts:
    """Disputes opened in a period: per Stripe account of a connectbot charge, and the rest
    (disputes on charges connectbot did not make, which it cannot attribute)."""

    by_account: dict[str, int]
    unattributed: int


async def dispute_counts(session: AsyncSession, *, start: datetime, end: datetime) -> DisputeCounts:
    """Count `dispute.created` audit rows written in [start, end) (one per dispute: the handler
    writes it once, in the transaction that marks the event handled)."""
    in_period = (
        AuditEntry.action == "dispute.created",
        AuditEntry.created_at >= start,
        AuditEntry.created_at < end,
    )
    rows = await session.execute(
        select(Vendor.stripe_account_id, func.count(AuditEntry.id))
        .join(Charge, Charge.id == AuditEntry.target)
        .join(Vendor, Vendor.id == Charge.vendor_id)
        .where(*in_period)
        .group_by(Vendor.stripe_account_id)
    )
    by_account = {str(account): int(n) for account, n in rows.all()}
    total = await session.scalar(select(func.count(AuditEntry.id)).where(*in_period))
    return DisputeCounts(by_account, int(total or 0) - sum(by_account.values()))
