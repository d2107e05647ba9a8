"""Benchmarks: how fast connectbot's hot paths are, measured, never asserted (`make bench`).

1. money parsing: `parse_money` on a mix of accepted and refused inputs (pure CPU).
2. webhook ingestion: signed Stripe events POSTed to the real server, which verifies, stores
   and answers each one (latency per request, requests per second, 4 concurrent senders).
3. outbox relay: messages queued in one transaction, posted to the fake Slack by the relay
   (messages per second from commit to the last post).

Each runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL. Prints a Markdown table;
docs/benchmarks.md records a run and how to read it.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bot.money import parse_money
from storage.repos import outbox
from tests.databases import POSTGRES_URL, fresh_database
from tests.harness import WEBHOOK_SECRET, running_connectbot
from tests.stripe_events import encode, event, sign

MONEY_INPUTS = ["100", "1,000.50", "€100", "100 eur", "EUR 100", "0.49 usd", "1e3", "١٠٠", "abc"]


def bench_money(rounds: int = 20_000) -> list[str]:
    tracemalloc.start()
    start = time.perf_counter()
    for i in range(rounds):
        parse_money(MONEY_INPUTS[i % len(MONEY_INPUTS)], default_currency="usd", max_amount=10**8)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        f"| money | parse_money | {rounds / elapsed:,.0f} parses/s | peak {peak / 1024:.0f} KiB |"
    ]


async def bench_webhooks(database_url: str, label: str, count: int = 400) -> str:
    async with running_connectbot(database_url) as cb:
        bodies = [encode(event("balance.available", {"object": "balance"})) for _ in range(count)]
        latencies: list[float] = []

        async def send(body: bytes) -> None:
            started = time.perf_counter()
            headers = {"Stripe-Signature": sign(body, WEBHOOK_SECRET)}
            async with cb.http.post(f"{cb.url}/stripe/webhook", data=body, headers=headers) as r:
                assert r.status == 200
            latencies.append(time.perf_counter() - started)

        start = time.perf_counter()
        for batch in range(0, count, 4):
            await asyncio.gather(*(send(b) for b in bodies[batch : batch + 4]))
        elapsed = time.perf_counter() - start
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    rate = f"{count / elapsed:,.0f} events/s"
    return f"| webhooks | {label} | {rate} | p50 {p50:.1f} ms, p95 {p95:.1f} ms |"


async def bench_relay(database_url: str, label: str, count: int = 300) -> str:
    async with running_connectbot(database_url) as cb:
        start = time.perf_counter()
        async with cb.sessions.begin() as session:
            for n in range(count):
                await outbox.enqueue(
                    session,
                    kind="post",
                    target=f"C0BENCH{n % 10}",
                    payload={"text": f"bench {n}"},
                    dedupe_key=f"bench:{n}",
                )

        async def all_posted() -> bool:
            return len(await cb.posted()) >= count

        await cb.until(all_posted, timeout=300, what="every message")
        elapsed = time.perf_counter() - start
    rate = f"{count / elapsed:,.0f} messages/s"
    return f"| outbox relay | {label} | {rate} | {count} in {elapsed:.1f} s |"


async def main() -> None:
    rows = ["| what | where | throughput | detail |", "|---|---|---|---|", *bench_money()]
    backends = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            async with fresh_database(backend, Path(tmp)) as url:
                rows.append(await bench_webhooks(url, backend))
            async with fresh_database(backend, Path(tmp)) as url:
                rows.append(await bench_relay(url, backend))
    print("\n".join(rows))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
