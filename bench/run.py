"""`make bench`: connectbot against bare floors, in one run (docs/benchmarks.md).

Beside connectbot and the fakes it starts a bare Bolt app whose `/charge` only acks and a bare
aiohttp handler that only verifies a Stripe signature; requests alternate between floor and
connectbot in rounds, and each figure is the median over rounds with its ratio to the floor:

1. slash-command ack: an operator's `/charge @vendor 100.00 email` (role check, parsing, vendor
   and customer lookups, then the ack): p50 at 1 concurrent, throughput and p99 at 50;
2. webhook ingest: signed events, throughput and p99 at 20 concurrent, on SQLite and PostgreSQL;
3. outbox relay: messages per second over 100 channels (no floor);
4. Stripe requests per operation, counted at the fake Stripe (no floor);
5. scale on PostgreSQL: `/fees month` and App Home over 1,000,000 seeded charges, and the peak
   RSS of a `connectbot serve` process under all of the above.

PostgreSQL is TEST_DATABASE_URL's server (the Makefile defaults it to this machine's); without
it the PostgreSQL figures are skipped and the RSS figure is taken on SQLite. BENCH_QUICK=1 runs
tiny sizes. Prints a Markdown table, then `ratio <name> <value>` and `figure <name> <value>`
lines. Logs go to a file, never to the terminal.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from bench.figures import Figure, from_rounds, lines, table
from bench.floors.bolt_floor import running_bolt_floor
from bench.floors.webhook_floor import running_webhook_floor
from bench.load import compare
from bench.relay import relay_rate
from bench.rss import server_rss
from bench.scale import scale_figures
from bench.sizes import Sizes, chosen
from bench.slash import charge_ready, charge_side
from bench.stripe_counts import stripe_counts
from bench.webhooks import webhook_side
from bot.money import parse_money
from bot.workers import WorkerTuning
from tests.databases import POSTGRES_URL, fresh_database
from tests.harness import Connectbot, running_connectbot

MONEY_INPUTS = ["100", "1,000.50", "€100", "100 eur", "EUR 100", "0.49 usd", "1e3", "١٠٠", "abc"]
LOG = Path(os.environ.get("BENCH_LOG") or Path(tempfile.gettempdir()) / "connectbot-bench.log")


def connectbot(url: str) -> AbstractAsyncContextManager[Connectbot]:
    """connectbot as a deployment runs it: the production worker tuning (`connectbot serve`'s),
    not the test harness' short polls, which would spend the loop polling."""
    return running_connectbot(url, tuning=WorkerTuning())


def bench_money(calls: int) -> Figure:
    """`parse_money` on a fixed mix of accepted and refused inputs (pure CPU)."""
    start = time.perf_counter()
    for i in range(calls):
        parse_money(MONEY_INPUTS[i % len(MONEY_INPUTS)], default_currency="usd", max_amount=10**8)
    rate = calls / (time.perf_counter() - start)
    return Figure("money_parse_rate", "parse_money", "calls/s", rate, note=f"{calls:,} calls")


async def slash_and_webhooks(url: str, sizes: Sizes, *, rss: bool) -> list[Figure]:
    """Ack figures and SQLite webhook figures on one server (and the RSS figure, when asked)."""
    async with connectbot(url) as cb:
        await charge_ready(cb)
        figures = []
        async with running_bolt_floor(cb.slack.api_url) as bolt:
            floor, ours = charge_side(cb, bolt), charge_side(cb, f"{cb.url}/slack/events")
            serial = await compare(
                floor, ours, rounds=sizes.rounds, total=sizes.ack_serial, concurrency=1
            )
            what = "/charge ack, 1 concurrent"
            figures.append(
                from_rounds(serial, name="ack_c1", what=what, rate_unit="acks/s", percentile=50)[1]
            )
            loaded = await compare(
                floor,
                ours,
                rounds=sizes.rounds,
                total=sizes.ack_loaded,
                concurrency=sizes.ack_concurrency,
            )
            what = f"/charge ack, {sizes.ack_concurrency} concurrent"
            figures += from_rounds(
                loaded, name="ack_c50", what=what, rate_unit="acks/s", percentile=99
            )
        figures += await webhook_figures(cb, sizes, "sqlite")
        if rss:
            figures.append(await server_rss(cb, sizes, label="sqlite"))
    return figures


async def webhook_figures(cb: Connectbot, sizes: Sizes, label: str) -> list[Figure]:
    """Webhook ingest against the bare handler, on `cb`'s database."""
    async with running_webhook_floor() as floor_url:
        compared = await compare(
            webhook_side(cb.http, floor_url),
            webhook_side(cb.http, f"{cb.url}/stripe/webhook"),
            rounds=sizes.rounds,
            total=sizes.webhooks,
            concurrency=sizes.webhook_concurrency,
        )
    what = f"webhook ingest, {sizes.webhook_concurrency} concurrent ({label})"
    return from_rounds(
        compared, name=f"webhook_{label}", what=what, rate_unit="events/s", percentile=99
    )


async def on_backend(backend: str, sizes: Sizes) -> list[Figure]:
    """Everything measured on `backend`, each part in a fresh database."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for part in "abc":
            (Path(tmp) / part).mkdir()
        if backend == "sqlite":
            async with fresh_database(backend, Path(tmp) / "a") as url:
                figures += await slash_and_webhooks(url, sizes, rss=not POSTGRES_URL)
            async with fresh_database(backend, Path(tmp) / "b") as url:
                async with connectbot(url) as cb:
                    figures += await stripe_counts(cb)
        else:
            async with fresh_database(backend, Path(tmp)) as url:
                async with connectbot(url) as cb:
                    figures += await webhook_figures(cb, sizes, backend)
        async with fresh_database(backend, Path(tmp) / "c") as url:
            async with connectbot(url) as cb:
                figures.append(
                    await relay_rate(
                        cb,
                        messages=sizes.relay_messages,
                        channels=sizes.relay_channels,
                        label=backend,
                    )
                )
        if backend == "postgresql":
            async with fresh_database(backend, Path(tmp)) as url:
                async with connectbot(url) as cb:
                    figures += await scale_figures(cb, sizes)
    return figures


async def main() -> int:
    sizes = chosen()
    started = time.perf_counter()
    figures = [bench_money(sizes.money_calls)]
    for backend in ["sqlite"] + (["postgresql"] if POSTGRES_URL else []):
        figures += await on_backend(backend, sizes)
    print(table(figures))
    print()
    print(lines(figures))
    print(f"\nbench took {time.perf_counter() - started:.0f} s; logs in {LOG}")
    return 0


def run() -> int:
    logging.basicConfig(filename=LOG, filemode="w", level=logging.WARNING, force=True)
    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        print("bench interrupted: no figures", file=sys.stderr)
        return 130
    except Exception as exc:
        logging.getLogger("bench").exception("bench failed")
        print(f"bench failed: {exc!r} (details in {LOG})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
