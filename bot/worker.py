"""One shape for every background loop: the outbox relay, the event processor, the reconciler
and the daily digest (their tunings: `bot/workers.py` `WorkerTuning`).

A worker runs passes: each claims work (a batch under a lease, or one stale row at a time) and
works through it. It naps when a pass found nothing (a `periodic` one after every pass), wakes
early on `wake()`, and stops in two ways:

- `stop()`: the claim in hand is finished, the rest of the batch is handed back (due again at
  once, for another process or this one restarted), and `run()` returns. A server stopping
  calls this first and waits a moment.
- cancellation: the claim in flight keeps its lease (its effect may have happened: Slack may
  have posted the message), the rest is handed back, as above.

Either way nothing claimed waits for its lease to expire but the one claim that has to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.backoff import nap
from storage.sqlite import DatabaseBusy

log = logging.getLogger(__name__)
T = TypeVar("T")
Release = Callable[[AsyncSession, Sequence[T]], Awaitable[None]]


class Worker:
    """Subclasses implement `one_pass()` (how many claims it handled) and call `work_through`
    for a batch of claims, or check `stopping` between claims taken one at a time."""

    name = "worker"
    #: Nap after every pass, not only after an empty one: a loop that looks for stale work on
    #: a schedule (the reconciler, the digest) rather than draining a queue.
    periodic = False

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        poll_seconds: float,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._sessions = sessions
        self._poll_seconds = poll_seconds
        self._wake = wake or asyncio.Event()
        self._stopping = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the claim in hand, hand back the rest, and return from `run()`."""
        self._stopping.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        """`starting()`, then passes until `stop()`; a failed pass is logged and the next one
        tries again."""
        await self.starting()
        while not self.stopping:
            try:
                handled = await self.one_pass()
            except DatabaseBusy as exc:  # SQLite's one writer was busy: weather, not a bug
                log.warning(
                    "%s pass waited too long for the database (%s); retrying", self.name, exc
                )
                handled = 0
            except Exception:
                log.exception("%s pass failed; retrying", self.name)
                handled = 0
            if (handled == 0 or self.periodic) and not self.stopping:
                await self.rest()

    async def starting(self) -> None:
        """Runs once before the first pass (nothing by default)."""

    async def rest(self) -> None:
        """Nap for `poll_seconds`, or until `wake()` or `stop()`."""
        await nap(self._wake, self._poll_seconds)

    async def one_pass(self) -> int:
        raise NotImplementedError

    async def work_through(
        self, claims: Sequence[T], work: Callable[[T], Awaitable[None]], release: Release[T]
    ) -> None:
        """`work` each claim in turn; on `stop()` or cancellation, hand back the untried ones."""
        for done, claim in enumerate(claims):
            if self.stopping:
                await self._hand_back(release, claims[done:])
                return
            try:
                await work(claim)
            except asyncio.CancelledError:
                await self._hand_back(release, claims[done + 1 :])
                raise

    async def _hand_back(self, release: Release[T], claims: Sequence[T]) -> None:
        """Best effort within a second, never raises: what is not handed back waits for its
        lease, as after a crash."""
        if not claims:
            return
        try:
            async with asyncio.timeout(1.0), self._sessions.begin() as session:
                await release(session, claims)
        except Exception:
            log.warning(
                "%s could not hand back %d claims; their leases expire", self.name, len(claims)
            )
