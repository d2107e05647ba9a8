"""Succeeded charges with something left to refund: for the Refund button and `/refund`'s
picker. Refunds still in flight are subtracted, as `request_refund` does."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Charge, Customer, Refund, Vendor


@dataclass(frozen=True)
class RefundableCharge:
    """A succeeded charge and what it has refunded or in flight (minor units)."""

    id: str
    amount: int
    refunded: int
    currency: str
    vendor_user_id: str
    customer_email: str | None

    @property
    def remaining(self) -> int:
        return self.amount - self.refunded


_Q = Select[str, int, int, str, str, str]


def _query(team_id: str) -> _Q:
    in_flight = (
        select(func.coalesce(func.sum(Refund.amount), 0))
        .where(Refund.charge_id == Charge.id, Refund.status == "pending")
        .correlate(Charge)
        .scalar_subquery()
    )
    return (
        select(
            Charge.id,
            Charge.amount,
            Charge.amount_refunded + in_flight,
            Charge.currency,
            Vendor.slack_user_id,
            Customer.email,
        )
        .join(Vendor, Vendor.id == Charge.vendor_id)
        .outerjoin(Customer, Customer.id == Charge.customer_id)
        .where(Charge.team_id == team_id, Charge.status == "succeeded")
    )


def _row(r: Row[str, int, int, str, str, str]) -> RefundableCharge:
    email = r[5]
    return RefundableCharge(
        str(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), None if email is None else str(email)
    )


async def recent(session: AsyncSession, *, team_id: str, limit: int) -> list[RefundableCharge]:
    """The newest `limit` succeeded charges of the workspace with something left to refund."""
    query = _query(team_id)
    rows = await session.execute(
        query.where(Charge.amount_refunded < Charge.amount)
        .order_by(Charge.created_at.desc(), Charge.id.desc())
        .limit(limit * 2)  # in-flight refunds may use up a few; filtered below
    )
    found = [_row(r) for r in rows.all()]
    return [c for c in found if c.remaining > 0][:limit]


async def one(session: AsyncSession, *, team_id: str, charge_id: str) -> RefundableCharge | None:
    """The succeeded charge `charge_id` of the workspace (remaining may be 0), or None."""
    rows = await session.execute(_query(team_id).where(Charge.id == charge_id))
    row = rows.first()
    return None if row is None else _row(row)
