"""Background work of a server process: four loops of one shape (`bot/worker.py`), tuned here.

The outbox relay posts queued Slack messages, the event processor handles stored Stripe events,
the reconciler settles charges and refunds Stripe left unanswered, the daily digest posts once a
day (`bot/daily_digest.py`). Nobody wakes a loop by hand: every commit that queues a message
wakes the relay (`storage.db.session_factory`'s `on_outbox_commit` sets `Services.outbox_ready`),
and the webhook route wakes the event processor by setting `Services.events_ready`, so no entry
point has to reach for another's worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web

from bot.daily_digest import DailyDigest, DigestTuning
from bot.event_processor import EventProcessor, ProcessorTuning
from bot.handlers import build_event_handlers
from bot.notifications.relay import Relay, RelayTuning
from bot.reconcile import Reconciler, ReconcileTuning
from bot.services import Services
from bot.worker import Worker


@dataclass(frozen=True)
class WorkerTuning:
    """Every loop's timing in one place: polls, leases, retry policies (tests and the sandbox
    pass shorter ones; /healthz and /metrics read the running one's retry bound)."""

    relay: RelayTuning = field(default_factory=RelayTuning)
    events: ProcessorTuning = field(default_factory=ProcessorTuning)
    reconciler: ReconcileTuning = field(default_factory=ReconcileTuning)
    digest: DigestTuning = field(default_factory=DigestTuning)
    # How long a stopping server lets the loops finish what is in hand.
    stop_grace_seconds: float = 5.0


@dataclass(frozen=True)
class Workers:
    relay: Relay
    events: EventProcessor
    reconciler: Reconciler
    digest: DailyDigest
    tuning: WorkerTuning

    def all(self) -> tuple[Worker, ...]:
        return (self.relay, self.events, self.reconciler, self.digest)


WORKERS = web.AppKey("workers", Workers)


@contextlib.asynccontextmanager
async def running_workers(services: Services, tuning: WorkerTuning) -> AsyncIterator[Workers]:
    """Start the loops; on exit stop them all alike: the claim in hand is finished and the rest
    handed back (bot/worker.py) for `stop_grace_seconds`, then whatever still runs is cancelled
    (a half-done pass is safe to redo)."""
    workers = Workers(
        relay=Relay(services.sessions, services.slack, tuning.relay, wake=services.outbox_ready),
        events=EventProcessor(services, build_event_handlers(), tuning=tuning.events),
        reconciler=Reconciler(services, tuning=tuning.reconciler),
        digest=DailyDigest(services, tuning=tuning.digest),
        tuning=tuning,
    )
    tasks = [
        asyncio.create_task(worker.run(), name=worker.name.replace(" ", "-"))
        for worker in workers.all()
    ]
    try:
        yield workers
    finally:
        for worker in workers.all():
            worker.stop()
        await asyncio.wait(tasks, timeout=tuning.stop_grace_seconds)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
