"""Which charges a fee report counts: one definition for /fees, the digest and the CSV export,
so their totals cannot drift apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select

from storage.models import Charge, Vendor


def counted_charges(
    team_id: str | None, start: datetime, end: datetime, vendor_user_id: str | None
) -> list[ColumnElement[bool]]:
    """Conditions on `Charge`: succeeded, created in [start, end), of one team (None: all),
    of one vendor (by Slack user) when given."""
    conditions: list[ColumnElement[bool]] = [
        Charge.status == "succeeded",
        Charge.created_at >= start,
        Charge.created_at < end,
    ]
    if team_id is not None:
        conditions.append(Charge.team_id == team_id)
    if vendor_user_id is not None:
        conditions.append(
            Charge.vendor_id.in_(select(Vendor.id).where(Vendor.slack_user_id == vendor_user_id))
        )
    return conditions
