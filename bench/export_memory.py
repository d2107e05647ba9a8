"""Peak memory of a large `/fees … csv` export, against a floor and against not streaming.

`python -m bench.export_memory [charges]` (PostgreSQL at TEST_DATABASE_URL). Seeds a fresh
database with COPY (bench.scale's rows: 60 days of charges over 200 vendors), then measures the
Python heap's peak (tracemalloc) of three runs, each alone:

* floor: the export of a period without charges (the code's fixed cost);
* export: `write_fees_csv` over every charge (server-side cursor, 500 rows a batch, to a file);
* whole: the same rows read at once (`execute(...).all()`), what the export would hold if it
  did not stream.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, select, text

from bench.scale import _records, charge_rows, vendor_rows
from bot.database import upgrade_database
from bot.exports.fees_csv import write_fees_csv
from storage.db import create_engine, session_factory
from storage.models import Charge, Customer, Vendor, utcnow
from tests.databases import fresh_database
from tests.harness import TEAM_ID

VENDORS = 200


async def _peak(run: Callable[[], Awaitable[Any]]) -> float:
    """The Python heap's peak while `run` runs, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        await run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def measure(charges: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        async with fresh_database("postgresql", Path(folder)) as url:
            await upgrade_database(url)
            engine = create_engine(url)
            try:
                async with engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    assert raw is not None
                    for table, rows in (
                        (Vendor.__table__, vendor_rows(VENDORS)),
                        (Charge.__table__, charge_rows(charges, VENDORS)),
                    ):
                        assert isinstance(table, Table)
                        columns = [c.name for c in table.columns]
                        records = _records(table, rows)
                        await raw.copy_records_to_table(
                            table.name, records=records, columns=columns
                        )
                    await conn.execute(text("ANALYZE charges"))
                    await conn.commit()
                services: Any = SimpleNamespace(
                    settings=SimpleNamespace(digest_tz="UTC"), sessions=session_factory(engine)
                )
                end = utcnow() + timedelta(days=1)
                start = end - timedelta(days=400)
                target = Path(folder) / "fees.csv"

                async def export(since: datetime) -> None:
                    await write_fees_csv(
                        services, target, team_id=TEAM_ID, start=since, end=end, vendor_user_id=None
                    )

                async def whole() -> None:
                    async with services.sessions() as session:
                        rows = await session.execute(
                            select(Charge, Vendor.slack_user_id, Customer.email)
                            .join(Vendor, Vendor.id == Charge.vendor_id)
                            .outerjoin(Customer, Customer.id == Charge.customer_id)
                            .where(Charge.created_at >= start, Charge.status == "succeeded")
                        )
                        assert rows.all()

                floor = await _peak(lambda: export(end))
                streamed = await _peak(lambda: export(start))
                size = target.stat().st_size / 2**20
                held = await _peak(whole)
            finally:
                await engine.dispose()
    return {"floor": floor, "export": streamed, "whole": held, "file": size}


def main() -> None:
    charges = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    figures = asyncio.run(measure(charges))
    print(
        f"{charges:,} charges ({figures['file']:.1f} MiB of CSV): peak Python heap "
        f"floor {figures['floor']:.1f} MiB, streamed export {figures['export']:.1f} MiB, "
        f"the same rows read at once {figures['whole']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
