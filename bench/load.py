"""Closed-loop load: `concurrency` senders share `total` requests; latency per request.

A side is what is measured: `prepare(n)` builds n requests outside the clock (signing, trigger
ids), `send(request)` sends one and says whether it was answered 2xx. `compare` alternates
floor and connectbot in rounds, so a busy second on a shared machine lands on both.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Prepare = Callable[[int], Awaitable[list[Any]]]
Send = Callable[[Any], Awaitable[bool]]


@dataclass(frozen=True)
class Side:
    prepare: Prepare
    send: Send


@dataclass
class Sample:
    """One batch: each request's latency (s), the batch's wall time, and non-2xx answers."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failures: int = 0

    @property
    def rate(self) -> float:
        """Requests answered per second over the batch."""
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, p: float) -> float:
        """The p-th percentile latency in ms (nearest rank; 0 for an empty batch)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


async def batch(side: Side, *, total: int, concurrency: int) -> Sample:
    """`total` requests of `side`, `concurrency` at a time (each sender starts its next request
    when its last is answered)."""
    requests = await side.prepare(total)
    sample = Sample()
    queue = iter(requests)

    async def sender() -> None:
        for request in queue:
            started = time.perf_counter()
            ok = await side.send(request)
            sample.latencies.append(time.perf_counter() - started)
            sample.failures += not ok

    start = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    sample.elapsed = time.perf_counter() - start
    return sample


@dataclass
class Compared:
    """Per-round samples of both sides."""

    floor: list[Sample] = field(default_factory=list)
    connectbot: list[Sample] = field(default_factory=list)


async def compare(
    floor: Side, connectbot: Side, *, rounds: int, total: int, concurrency: int
) -> Compared:
    """`rounds` rounds, each a floor batch then a connectbot batch (after one untimed warm-up
    batch of each, so first-request costs such as Bolt's auth.test are not counted)."""
    for side in (floor, connectbot):
        await batch(side, total=min(total, 2 * concurrency), concurrency=concurrency)
    compared = Compared()
    for _ in range(rounds):
        compared.floor.append(await batch(floor, total=total, concurrency=concurrency))
        compared.connectbot.append(await batch(connectbot, total=total, concurrency=concurrency))
    return compared


def median_of(samples: list[Sample], measure: Callable[[Sample], float]) -> float:
    return statistics.median(measure(s) for s in samples)
