"""`/fees month` and App Home over many charges: rows seeded in bulk with PostgreSQL's COPY into
storage's own tables (not through the API), then each timed from the request to its answer at
the fake Slack."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from bench.figures import Figure
from bench.rss import server_rss
from bench.sizes import Sizes
from bench.slash import charge_ready, command_form
from sandbox.slack_fake.client import SlackSender
from storage.models import Charge, Vendor, utcnow
from tests.harness import OPERATOR, SIGNING_SECRET, TEAM_ID, Connectbot

SPREAD = timedelta(days=60)  # charges reach back two months: `month` reads part of them


def _records(table: Table, rows: Iterator[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples in `table`'s column order. A column a row does not name gets the model's
    constant default (so a column added later with one needs no change here), else NULL."""
    defaults = {
        c.name: c.default.arg
        for c in table.columns
        if isinstance(c.default, ScalarElementColumnDefault)
    }
    names = [c.name for c in table.columns]
    for row in rows:
        yield tuple(row.get(name, defaults.get(name)) for name in names)


def vendor_rows(count: int) -> Iterator[dict[str, Any]]:
    now = utcnow()
    for n in range(1, count + 1):
        yield {
            "id": n,
            "team_id": TEAM_ID,
            "slack_user_id": f"U0SCALE{n:05d}",
            "stripe_account_id": f"acct_scale{n:05d}",
            "status": "connected",
            "livemode": False,
            "scope": "read_write",
            "charges_enabled": True,
            "payouts_enabled": True,
            "connected_at": now - SPREAD,
            "created_at": now - SPREAD,
            "updated_at": now - SPREAD,
        }


def charge_rows(count: int, vendors: int) -> Iterator[dict[str, Any]]:
    """`count` charges round-robin over `vendors`, evenly spread over SPREAD up to now; about
    one in twenty failed, one in ten in euros, amounts from $1.00 to $500.00."""
    now = utcnow()
    step = SPREAD / count
    for n in range(count):
        amount = 100 + (n * 7919) % 49_901
        failed = n % 20 == 7
        at = now - step * (count - n)
        yield {
            "id": f"cb_ch_scale{n:08d}",
            "team_id": TEAM_ID,
            "vendor_id": 1 + n % vendors,
            "requested_by": OPERATOR,
            "amount": amount,
            "currency": "eur" if n % 10 == 3 else "usd",
            "application_fee_amount": amount // 10,
            "idempotency_key": f"scale:{n}",
            "status": "failed" if failed else "succeeded",
            "payment_intent_id": f"pi_scale{n:08d}",
            "stripe_charge_id": None if failed else f"ch_scale{n:08d}",
            "amount_refunded": 0,
            "fee_refunded": 0,
            "attempts": 1,
            "created_at": at,
            "updated_at": at,
        }


async def seed(cb: Connectbot, *, vendors: int, charges: int) -> float:
    """COPY the rows into a fresh PostgreSQL database; returns the seconds it took."""
    start = time.perf_counter()
    async with cb.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        for table, rows in (
            (Vendor.__table__, vendor_rows(vendors)),
            (Charge.__table__, charge_rows(charges, vendors)),
        ):
            assert isinstance(table, Table)
            await raw.copy_records_to_table(
                table.name, records=_records(table, rows), columns=[c.name for c in table.columns]
            )
        await conn.execute(text(f"SELECT setval('vendors_id_seq', {vendors})"))
        await conn.execute(text("ANALYZE vendors"))
        await conn.execute(text("ANALYZE charges"))
        await conn.commit()
    return time.perf_counter() - start


async def unseed(cb: Connectbot) -> None:
    """Empty the seeded tables, so the harness' ledger check at exit has nothing to compare."""
    async with cb.engine.begin() as conn:
        await conn.execute(text("TRUNCATE charges, vendors CASCADE"))


async def _timed(samples: int, once: Callable[[], Awaitable[None]]) -> float:
    """Median ms of `samples` runs of `once` (after one untimed run that warms caches)."""
    await once()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        await once()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def _until(check: Callable[[], Awaitable[bool]], what: str, within: float = 60) -> None:
    """Poll every 5 ms (the answers timed here take tens to hundreds of ms)."""
    deadline = time.perf_counter() + within
    while not await check():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def _sender(cb: Connectbot, base_url: str) -> SlackSender:
    return SlackSender(
        f"{base_url}/slack/events", SIGNING_SECRET, fake_url=cb.slack.url, session=cb.http
    )


async def fees_month(cb: Connectbot, base_url: str, period: str = "month") -> None:
    """`/fees <period>` typed by an operator at the server at `base_url`, until its answer.

    `month` is the month to date (early in a month, few charges); `last-month` a whole month.
    """
    sender = _sender(cb, base_url)
    fields = command_form(cb, sender, "/fees", period, user=OPERATOR)
    key = fields["response_url"].split("/_fake/respond/")[1].split("?")[0]
    reply = await sender.send_form(fields)
    if reply.status != 200 or reply.body:
        raise RuntimeError(f"/fees {period} was refused: {reply.status} {reply.body[:200]}")

    async def answered() -> bool:
        return bool(await cb.slack.responses(key))

    await _until(answered, f"/fees {period}'s answer")


async def app_home(cb: Connectbot, base_url: str) -> None:
    """An operator opens the App Home at the server at `base_url`, until it is published."""
    before = len(await cb.posted("views.publish"))
    reply = await _sender(cb, base_url).app_home_opened(OPERATOR)
    if reply.status != 200:
        raise RuntimeError(f"app_home_opened answered {reply.status}")

    async def published() -> bool:
        return len(await cb.posted("views.publish")) > before

    await _until(published, "the App Home")


async def scale_figures(cb: Connectbot, sizes: Sizes) -> list[Figure]:
    """Seed, time both (median of `scale_samples`), then the server process' peak RSS under
    the slash-command and webhook load plus both of these; the seeded rows are removed after."""
    vendors, charges = sizes.scale_vendors, sizes.scale_charges
    seconds = await seed(cb, vendors=vendors, charges=charges)

    async def both(base_url: str) -> None:
        await fees_month(cb, base_url)
        await app_home(cb, base_url)

    try:
        fees_ms = await _timed(sizes.scale_samples, lambda: fees_month(cb, cb.url))
        whole_ms = await _timed(
            sizes.scale_samples, lambda: fees_month(cb, cb.url, period="last-month")
        )
        home_ms = await _timed(sizes.scale_samples, lambda: app_home(cb, cb.url))
        await charge_ready(cb)
        rss = await server_rss(cb, sizes, extra=both, label="postgresql")
    finally:
        await unseed(cb)
    size = f"{charges:,} charges, {vendors:,} vendors (PostgreSQL; seeded in {seconds:.0f} s)"
    return [
        Figure("scale_fees_month_ms", "/fees month, to its answer", "ms", fees_ms, note=size),
        Figure(
            "scale_fees_last_month_ms",
            "/fees last-month (a whole month), to its answer",
            "ms",
            whole_ms,
            note=size,
        ),
        Figure("scale_app_home_ms", "App Home, to views.publish", "ms", home_ms, note=size),
        rss,
    ]
