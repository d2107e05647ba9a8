"""The daily digest's loop: every process looks for a due digest once a minute, and once a
day for saved cards about to expire.

What a pass does (one winner per day, the messages it queues) is `bot/notifications/digest.py`
and `bot/customers/expiry.py` (each card told once, by its outbox key, however many processes
look); this is only when they run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.customers.expiry import cards_expiring_pass
from bot.notifications.digest import digest_pass, record_first_start
from bot.services import Services
from bot.worker import Worker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestTuning:
    #: How often a process looks for a due digest (and how long a fresh one stays quiet).
    poll_seconds: float = 60.0


class DailyDigest(Worker):
    """Every `poll_seconds`: a `digest_pass`. Sleeping first keeps a freshly started process
    quiet for a poll; the first start is recorded before that sleep, so it is the moment the
    process began. A failed pass is logged and retried at the next wake."""

    name = "daily digest"
    periodic = True

    def __init__(self, services: Services, *, tuning: DigestTuning = DigestTuning()) -> None:
        super().__init__(services.sessions, poll_seconds=tuning.poll_seconds)
        self._services = services
        self._cards_checked: date | None = None

    async def starting(self) -> None:
        try:
            await record_first_start(self._services)
        except Exception:  # the first pass records it instead
            log.exception("could not record the first start; the first digest pass will")
        await self.rest()

    async def one_pass(self) -> int:
        done = 0 if await digest_pass(self._services) is None else 1
        today = datetime.now(UTC).astimezone(ZoneInfo(self._services.settings.digest_tz)).date()
        if self._cards_checked != today:
            await cards_expiring_pass(self._services)
            self._cards_checked = today
        return done
