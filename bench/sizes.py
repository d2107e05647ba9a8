"""How much each benchmark does: the full run (`make bench`, under 10 minutes on 2 cores) or
`BENCH_QUICK=1` (seconds: checks that the harness still runs, measures nothing worth keeping)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    rounds: int
    ack_serial: int  # /charge requests per round at 1 concurrent
    ack_loaded: int  # … at 50 concurrent
    webhooks: int  # events per round at 20 concurrent
    relay_messages: int
    relay_channels: int
    scale_vendors: int
    scale_charges: int
    scale_samples: int  # /fees month and App Home openings timed
    money_calls: int
    ack_concurrency: int = 50
    webhook_concurrency: int = 20


FULL = Sizes(
    rounds=5,
    ack_serial=60,
    ack_loaded=500,
    webhooks=400,
    relay_messages=1000,
    relay_channels=100,
    scale_vendors=10_000,
    scale_charges=1_000_000,
    scale_samples=5,
    money_calls=20_000,
)

QUICK = Sizes(
    rounds=2,
    ack_serial=5,
    ack_loaded=50,
    webhooks=20,
    relay_messages=40,
    relay_channels=10,
    scale_vendors=20,
    scale_charges=2_000,
    scale_samples=2,
    money_calls=2_000,
)


def chosen() -> Sizes:
    return QUICK if os.environ.get("BENCH_QUICK") == "1" else FULL
