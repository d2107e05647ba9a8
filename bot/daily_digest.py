"""The daily digest's loop: every process looks for a due digest once a minute; the process
that wins a day's digest also checks saved cards about to expire, so that check runs once a day
across all processes.

What a pass does (one winner per day, the messages it queues) is `bot/notifications/digest.py`
and `bot/customers/expiry.py` (each card told once, by its outbox key); this is only when they
run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.customers.expiry import cards_expiring_pass
from bot.notifications.digest import digest_pass, record_first_start
from bot.services import Services
from bot.worker import Worker

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DigestTuning:
    #: How often a process looks for a due digest (and how long a fresh one stays quiet).
    poll_seconds: float = 60.0


class DailyDigest(Worker):
    """Every `poll_seconds`: a `digest_pass`, and after a pass that won the day, a
    `cards_expiring_pass`. Sleeping first keeps a freshly started process quiet for a poll; the
    first start is recorded before that sleep, so it is the moment the process began. A failed
    pass is logged and retried at the next wake; a card check that failed after its digest was
    queued is owed by this process and retried at each wake until it succeeds (no other process
    will run it that day: they lost the day). `clock` (aware UTC now) is for tests."""

    name = "daily digest"
    periodic = True

    def __init__(
        self,
        services: Services,
        *,
        tuning: DigestTuning = DigestTuning(),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        super().__init__(services.sessions, poll_seconds=tuning.poll_seconds)
        self._services = services
        self._clock = clock
        self._cards_owed = False

    async def starting(self) -> None:
        try:
            await record_first_start(self._services)
        except Exception:  # the first pass records it instead
            log.exception("could not record the first start; the first digest pass will")
        await self.rest()

    async def one_pass(self) -> int:
        won = await digest_pass(self._services, self._clock())
        # The digest's day is claimed once across processes (`digest_runs.day` is unique), so
        # its winner alone checks the cards: the others would only queue the same notes again.
        if won is not None:
            self._cards_owed = True
        if self._cards_owed:
            await cards_expiring_pass(self._services, self._clock())
            self._cards_owed = False
        return 0 if won is None else 1
