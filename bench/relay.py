"""The outbox relay: messages queued for many channels, posted to the fake Slack."""

from __future__ import annotations

import time

from bench.figures import Figure
from storage.repos import outbox
from tests.harness import Connectbot


async def relay_rate(cb: Connectbot, *, messages: int, channels: int, label: str) -> Figure:
    """Messages per second from the commit that queues `messages` (spread over `channels`)
    to the last one posted."""
    start = time.perf_counter()
    async with cb.sessions.begin() as session:
        for n in range(messages):
            await outbox.enqueue(
                session,
                kind="post",
                target=f"C0BENCH{n % channels:03d}",
                payload={"text": f"bench {n}"},
                dedupe_key=f"bench:{n}",
            )

    async def all_posted() -> bool:
        return len(await cb.posted()) >= messages

    await cb.until(all_posted, timeout=300, what="every message")
    elapsed = time.perf_counter() - start
    return Figure(
        f"relay_rate_{label}",
        f"outbox relay, {channels} channels ({label})",
        "messages/s",
        messages / elapsed,
        note=f"{messages:,} in {elapsed:.1f} s",
    )
