"""What the /charge form reads, in two statements and no transaction: the vendor, the customer
an email names, and the picker's first 100 customers with a card, on every backend."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import EACH_STATEMENT
from storage.models import Customer, Vendor
from storage.repos import customers, vendors

TEAM = "T0TEAM"


def _customer(i: int, *, card: bool = True, team: str = TEAM) -> dict[str, object]:
    return {
        "id": i,
        "team_id": team,
        "email": f"c{i:03d}@example.com",
        "stripe_customer_id": f"cus_{i}",
        "default_payment_method_id": f"pm_{i}" if card else None,
        "card_brand": "visa" if card else None,
        "card_last4": f"{i:04d}"[-4:] if card else None,
    }


async def _seed(engine: AsyncEngine) -> None:
    """150 customers with a card (ids 1–150), 150 without (151–300), one of another team."""
    rows = [_customer(i) for i in range(1, 151)]
    rows += [_customer(i, card=False) for i in range(151, 301)]
    rows.append(_customer(301, team="T0OTHER"))
    async with engine.begin() as conn:
        await conn.execute(insert(Customer), rows)
        await conn.execute(
            insert(Vendor),
            [
                {
                    "id": 7,
                    "team_id": TEAM,
                    "slack_user_id": "U7",
                    "stripe_account_id": "acct_7",
                    "status": "connected",
                    "charges_enabled": True,
                    "fee_percent": Decimal("2.5"),
                    "fee_fixed": 30,
                }
            ],
        )


@pytest.mark.parametrize(
    ("email", "named_id"),
    [
        (None, None),
        ("", None),
        ("C001@Example.com", 1),  # among the first 100: found, and in the picker too
        ("c140@example.com", 140),  # a card, but past the first 100
        ("c200@example.com", 200),  # no card, past the first 100 either way
        ("c301@example.com", None),  # another workspace's
        ("nobody@example.com", None),
    ],
)
async def test_named_customer_and_picker(
    engine: AsyncEngine, email: str | None, named_id: int | None
) -> None:
    await _seed(engine)
    async with engine.connect() as conn:
        await conn.execution_options(**EACH_STATEMENT)
        named, picker = await customers.for_charge_form(conn, TEAM, email)
    assert [r.id for r in picker] == list(range(1, 101))
    assert [r.email for r in picker] == sorted(r.email for r in picker)
    assert (named.id if named else None) == named_id
    if named is not None:
        assert named.email == f"c{named_id:03d}@example.com"
        assert named.team_id == TEAM
        assert bool(named.default_payment_method_id) == (named_id <= 150)


async def test_vendor_glance(engine: AsyncEngine) -> None:
    await _seed(engine)
    async with engine.connect() as conn:
        await conn.execution_options(**EACH_STATEMENT)
        vendor = await vendors.glance_by_slack_user(conn, TEAM, "U7")
        assert await vendors.glance_by_slack_user(conn, "T0OTHER", "U7") is None
    assert vendor is not None
    assert (vendor.id, vendor.stripe_account_id, vendor.status) == (7, "acct_7", "connected")
    assert vendor.charges_enabled is True
    assert (vendor.fee_percent, vendor.fee_fixed) == (Decimal("2.5"), 30)
