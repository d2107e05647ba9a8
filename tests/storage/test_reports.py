"""Report queries at marketplace scale: totals across thousands of vendors, top vendors per
currency, on every backend (aggregate queries, checked against sums computed here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import Charge, Vendor
from storage.repos import reports

TEAM = "T0TEAM"
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=1)
VENDORS = 1500


def _gross(i: int) -> int:
    return 1_00 + (i * 7919) % 100_000  # distinct enough, deterministic


async def _seed(engine: AsyncEngine) -> None:
    """VENDORS vendors with one USD charge each, every third also one EUR charge; plus rows
    that must not count: a failed charge, one from the day before, one of another team."""
    vendors = [
        {
            "id": i + 1,
            "team_id": TEAM,
            "slack_user_id": f"U{i:05d}",
            "stripe_account_id": f"acct_{i}",
        }
        for i in range(VENDORS)
    ]
    vendors.append(
        {
            "id": VENDORS + 1,
            "team_id": "T0OTHER",
            "slack_user_id": "U0",
            "stripe_account_id": "acct_x",
        }
    )
    for v in vendors:
        v["status"] = "connected"
    charges = []
    for i in range(VENDORS):
        charges.append(_charge(f"u{i}", i + 1, "usd", _gross(i), refunded=100 if i % 5 == 0 else 0))
        if i % 3 == 0:
            charges.append(_charge(f"e{i}", i + 1, "eur", 2 * _gross(i)))
    charges.append(_charge("failed", 1, "usd", 999_99, status="failed"))
    charges.append(_charge("early", 1, "usd", 999_99, at=START - timedelta(seconds=1)))
    charges.append(_charge("other", VENDORS + 1, "usd", 999_99, team="T0OTHER"))
    async with session_factory(engine).begin() as session:
        await session.execute(insert(Vendor), vendors)
        await session.execute(insert(Charge), charges)


def _charge(
    key: str,
    vendor: int,
    currency: str,
    amount: int,
    *,
    refunded: int = 0,
    status: str = "succeeded",
    at: datetime = START + timedelta(hours=1),
    team: str = TEAM,
) -> dict[str, object]:
    return {
        "id": f"cb_ch_{key}",
        "team_id": team,
        "vendor_id": vendor,
        "requested_by": "U0OP",
        "amount": amount,
        "currency": currency,
        "application_fee_amount": amount // 10,
        "fee_refunded": refunded // 10,
        "amount_refunded": refunded,
        "idempotency_key": f"k_{key}",
        "status": status,
        "created_at": at,
    }


async def test_totals_cover_every_vendor_and_top_lists_the_most_gross(engine: AsyncEngine) -> None:
    await _seed(engine)
    async with session_factory(engine)() as session:
        totals = await reports.currency_totals(session, team_id=TEAM, start=START, end=END)
        top = await reports.fee_summary(session, team_id=TEAM, start=START, end=END, top=5)
        everyone = await reports.fee_summary(session, team_id=TEAM, start=START, end=END)
        one = await reports.currency_totals(
            session, team_id=TEAM, start=START, end=END, vendor_user_id="U00003"
        )
        all_teams = await reports.currency_totals(session, team_id=None, start=START, end=END)
    usd_gross = sum(_gross(i) for i in range(VENDORS))
    usd_refunds = 100 * len(range(0, VENDORS, 5))
    eur = range(0, VENDORS, 3)
    assert [(t.currency, t.vendors, t.count) for t in totals] == [
        ("eur", len(eur), len(eur)),
        ("usd", VENDORS, VENDORS),
    ]
    usd = totals[1]
    assert (usd.gross, usd.refunds) == (usd_gross, usd_refunds)
    assert usd.fees == sum(_gross(i) // 10 for i in range(VENDORS)) - usd_refunds // 10
    assert usd.net == usd.gross - usd.refunds - usd.fees
    assert totals[0].gross == sum(2 * _gross(i) for i in eur)
    # the totals are the sum of every vendor's line
    assert sum(v.gross for v in everyone if v.currency == "usd") == usd_gross
    assert len(everyone) == VENDORS + len(eur)
    # top 5 per currency, most gross first, the same as sorting every vendor here
    for currency in ("eur", "usd"):
        expected = sorted(
            (v for v in everyone if v.currency == currency),
            key=lambda v: (-v.gross, v.vendor_user_id),
        )[:5]
        assert [v for v in top if v.currency == currency] == expected
    assert [t.currency for t in top] == ["eur"] * 5 + ["usd"] * 5
    assert [(t.currency, t.vendors, t.gross) for t in one] == [
        ("eur", 1, 2 * _gross(3)),
        ("usd", 1, _gross(3)),
    ]
    assert all_teams[1].gross == usd_gross + 999_99  # the other team's charge


async def test_top_breaks_ties_on_gross_by_vendor_across_the_cut(engine: AsyncEngine) -> None:
    """Vendors tied on gross at the edge of `top` are listed by Slack id, whatever order their
    rows were written in and however many charges make up their gross."""
    order = [5, 2, 7, 1, 6, 3, 4, 0]  # vendor numbers, in the order their rows are written
    gross = {0: 900, 1: 300, 2: 300, 3: 300, 4: 300, 5: 300, 6: 300, 7: 100}
    vendors = [
        {
            "id": n + 1,
            "team_id": TEAM,
            "slack_user_id": f"U{n:05d}",
            "stripe_account_id": f"acct_{n}",
            "status": "connected",
        }
        for n in order
    ]
    charges = []
    for n in order:
        if n == 4:  # two charges that add up to the tie
            charges += [_charge("t4a", n + 1, "usd", 100), _charge("t4b", n + 1, "usd", 200)]
        else:
            charges.append(_charge(f"t{n}", n + 1, "usd", gross[n]))
    async with session_factory(engine).begin() as session:
        await session.execute(insert(Vendor), vendors)
        await session.execute(insert(Charge), charges)
    async with session_factory(engine)() as session:
        for top in (1, 2, 3, 6, 7, 8, 20):
            listed = await reports.fee_summary(session, team_id=TEAM, start=START, end=END, top=top)
            expected = sorted(gross, key=lambda n: (-gross[n], n))[:top]
            assert [(v.vendor_user_id, v.gross) for v in listed] == [
                (f"U{n:05d}", gross[n]) for n in expected
            ], top
