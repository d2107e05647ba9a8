"""The daily digest's loop: every process looks for a due digest once a minute.

What a pass does (one winner per day, the messages it queues) is `bot/notifications/digest.py`;
this is only when it runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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

    async def starting(self) -> None:
        try:
            await record_first_start(self._services)
        except Exception:  # the first pass records it instead
            log.exception("could not record the first start; the first digest pass will")
        await self.rest()

    async def one_pass(self) -> int:
        return 0 if await digest_pass(self._services) is None else 1
