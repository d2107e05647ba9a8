"""The export's stream: the very charges /fees sums, in order, batch by batch, on every backend."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.repos import reports
from storage.repos.exports import stream_charges
from tests.storage.test_reports import END, START, TEAM, VENDORS, _seed


async def test_the_stream_holds_what_fees_sums(engine: AsyncEngine) -> None:
    await _seed(engine)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    seen: list[tuple[object, str]] = []
    async with session_factory(engine)() as session:
        async for c in stream_charges(session, team_id=TEAM, start=START, end=END, batch=97):
            seen.append((c.created_at, c.id))
            s = sums[c.currency]
            s[0] += 1
            s[1] += c.amount
            s[2] += c.application_fee_amount - c.fee_refunded
            s[3] += c.amount_refunded
        expected = await reports.currency_totals(session, team_id=TEAM, start=START, end=END)
    assert seen == sorted(seen)  # oldest first, ties by id
    assert len(seen) == VENDORS + (VENDORS + 2) // 3  # not the failed, early or other-team rows
    assert {c: tuple(s) for c, s in sums.items()} == {
        t.currency: (t.count, t.gross, t.fees, t.refunds) for t in expected
    }

    one: list[str] = []
    async with session_factory(engine)() as session:
        async for c in stream_charges(
            session, team_id=TEAM, start=START, end=END, vendor_user_id="U00003"
        ):
            one.append(c.id)
            assert (c.vendor_user_id, c.stripe_account_id) == ("U00003", "acct_3")
    assert sorted(one) == ["cb_ch_e3", "cb_ch_u3"]
