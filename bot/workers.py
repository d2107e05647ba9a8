"""Background work of a server process: the outbox relay and the Stripe event processor."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web

from bot.event_processor import EventProcessor, ProcessorTuning
from bot.handlers import build_event_handlers
from bot.notifications.digest import run_digests
from bot.notifications.relay import Relay, RelayTuning
from bot.reconcile import Reconciler
from bot.services import Services


@dataclass(frozen=True)
class WorkerTuning:
    relay: RelayTuning = field(default_factory=RelayTuning)
    events: ProcessorTuning = field(default_factory=ProcessorTuning)
    # How long a stopping server lets the relay and the processor finish what is in hand.
    stop_grace_seconds: float = 5.0


@dataclass(frozen=True)
class Workers:
    relay: Relay
    events: EventProcessor


WORKERS = web.AppKey("workers", Workers)


@contextlib.asynccontextmanager
async def running_workers(services: Services, tuning: WorkerTuning) -> AsyncIterator[Workers]:
    """Start the loops; on exit stop them, cancelling what is still running after a grace
    (a half-done pass is safe to redo)."""
    relay = Relay(services.sessions, services.slack, tuning.relay, wake=services.outbox_ready)
    processor = EventProcessor(
        services, build_event_handlers(), on_handled=relay.wake, tuning=tuning.events
    )
    tasks = [
        asyncio.create_task(relay.run(), name="outbox-relay"),
        asyncio.create_task(processor.run(), name="event-processor"),
        # Pending charges: settled at start-up and periodically (bot/reconcile.py).
        asyncio.create_task(Reconciler(services, on_settled=relay.wake).run(), name="reconciler"),
        asyncio.create_task(run_digests(services), name="daily-digest"),  # once a day
    ]
    try:
        yield Workers(relay=relay, events=processor)
    finally:
        # The claim in hand is finished and the rest handed back (bot/worker.py), for a moment;
        # whatever is still running then is cancelled.
        relay.stop()
        processor.stop()
        await asyncio.wait(tasks[:2], timeout=tuning.stop_grace_seconds)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
