"""Retry timing shared by the outbox relay and the event processor."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import utcnow


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: base·2^(attempt-1), capped, at most `max_attempts` tries."""

    base_seconds: float = 1.0
    cap_seconds: float = 300.0
    max_attempts: int = 20

    def next_attempt(self, attempts_so_far: int, *, now: datetime | None = None) -> datetime | None:
        """When to try again after `attempts_so_far` failures, counted from `now` (default: the
        current time); None when the bound is reached."""
        if attempts_so_far >= self.max_attempts:
            return None
        delay = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts_so_far - 1))
        return (now or utcnow()) + timedelta(seconds=delay * random.uniform(0.8, 1.0))


async def nap(wake: asyncio.Event, seconds: float) -> None:
    """Sleep up to `seconds`, or until `wake` is set; clears `wake`.

    Uses `asyncio.timeout`, not `asyncio.wait_for`: on Python 3.11 `wait_for` can swallow a
    cancellation that arrives as the event is set, and the task then never stops.
    """
    try:
        async with asyncio.timeout(seconds):
            await wake.wait()
    except TimeoutError:
        pass
    wake.clear()
