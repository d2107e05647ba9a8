"""Handles stored Stripe events after the webhook has been answered.

Each event is first prepared (`EventHandlers.prepare`: what its handlers need from Stripe)
outside any transaction, so that no Stripe call holds the database's write lock. It then runs
in its own transaction together with `mark_processed`, so a crash mid-handler rolls back its
effects and the event is simply handled again; handlers key their effects (outbox dedupe keys,
unique rows) so a re-run never doubles them. Failures retry with backoff
up to a bound, after which the event stays visible as failed in /healthz. An event that
arrived before what it refers to (`bot.early_events.NotYetKnown`) is retried the same way but
logged as a wait, not as a failure, until that bound.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.backoff import RetryPolicy
from bot.early_events import NotYetKnown, TryAgainLater
from bot.services import Services
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.errors import is_transient
from bot.worker import Worker
from storage.models import utcnow
from storage.repos import events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessorTuning:
    batch: int = 20
    lease: timedelta = timedelta(seconds=120)
    poll_seconds: float = 1.0
    retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(base_seconds=2.0, cap_seconds=600.0, max_attempts=12)
    )


class EventProcessor(Worker):
    name = "event processor"

    def __init__(
        self,
        services: Services,
        handlers: EventHandlers,
        *,
        tuning: ProcessorTuning = ProcessorTuning(),
    ) -> None:
        super().__init__(
            services.sessions, poll_seconds=tuning.poll_seconds, wake=services.events_ready
        )
        self._services = services
        self._handlers = handlers
        self._tuning = tuning

    async def one_pass(self) -> int:
        return await self.process_due()

    async def process_due(self) -> int:
        """One pass over due events; returns how many were attempted."""
        sessions = self._services.sessions
        max_attempts = self._tuning.retry.max_attempts
        async with sessions() as session:  # a read: no write turn when nothing is due
            if not await events.any_due(session, max_attempts=max_attempts):
                return 0
        async with sessions.begin() as session:
            claimed = await events.claim(
                session,
                limit=self._tuning.batch,
                lease=self._tuning.lease,
                max_attempts=max_attempts,
            )

        if not claimed:
            return 0
        # One read for the batch's payloads (an event is never changed once stored), not one
        # session per event: an event handled meanwhile is left out, and is checked for again
        # under its lock before anything is done with it.
        async with sessions() as session:
            payloads = await events.unprocessed_payloads(session, [i for i, _ in claimed])

        async def process(claim: tuple[str, int]) -> None:
            payload = payloads.get(claim[0])
            if payload is not None:
                await self._process(*claim, payload)

        await self.work_through(claimed, process, events.release)
        return len(claimed)

    async def _process(self, event_id: str, attempts: int, payload: dict[str, Any]) -> None:
        sessions = self._services.sessions
        try:
            prepared = await self._handlers.prepare(self._services, payload)
            async with sessions.begin() as session:
                event = await events.lock_unprocessed(session, event_id)
                if event is None:  # handled meanwhile: what was prepared is not used
                    return
                ctx = EventContext(session=session, services=self._services, event=event.payload)
                if not await self._handlers.dispatch(ctx, prepared):
                    log.info("stored %s (%s): no handler of its own", event_id, event.type)
                events.mark_processed(event)
        except NotYetKnown as exc:
            await self._later(event_id, attempts, f"waiting: {exc}")
            return
        except TryAgainLater as exc:
            await self._later(event_id, attempts, f"retrying: {exc}")
            return
        except Exception as exc:
            if is_transient(exc):  # Stripe unavailable for a moment: expected, one line
                await self._later(event_id, attempts, f"retrying: Stripe said {exc!r}")
                return
            retry_at = self._tuning.retry.next_attempt(attempts + 1) or _never()
            log.exception("handling %s failed (attempt %d)", event_id, attempts + 1)
            async with sessions.begin() as session:
                await events.mark_failed(session, event_id, error=repr(exc), retry_at=retry_at)
            return

    async def _later(self, event_id: str, attempts: int, reason: str) -> None:
        """Handle the event again after the usual backoff; past the bound it counts as failed."""
        retry_at = self._tuning.retry.next_attempt(attempts + 1)
        if retry_at is None:
            log.warning("%s gave up after %d attempts: %s", event_id, attempts + 1, reason)
        else:
            log.info("%s will be handled again (attempt %d): %s", event_id, attempts + 1, reason)
        async with self._services.sessions.begin() as session:
            await events.mark_failed(session, event_id, error=reason, retry_at=retry_at or _never())


def _never() -> datetime:
    """Past the bound the attempts count stops `claim` from picking the event up again."""
    return utcnow() + timedelta(days=3650)
