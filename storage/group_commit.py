"""Stripe events stored in shared transactions: a group commit for the webhook route.

Deliveries that arrive while a commit is in flight join the next one, so a burst costs a few
transactions instead of one each, and every delivery is still answered only once its row is
durable. One `GroupCommit` per server, built with the other long-lived things (`Services`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import events

# At most this many deliveries per transaction: a burst beyond it commits in several.
MAX_BATCH = 500


class GroupCommit:
    """Stores events in shared transactions: deliveries that arrive while a commit is in
    flight wait for it to end and are then committed together, in one transaction.

    `store` returns only after the event's row is committed (True: stored now; False: it
    already was, or an earlier delivery in the same batch stored it). If the batch's
    transaction fails, every delivery in it gets the error, none is answered as stored.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._committing: asyncio.Task[None] | None = None

    async def store(self, event: dict[str, Any]) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, answer))
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_all())
        # shield: a delivery whose sender went away leaves its batch alone.
        return await asyncio.shield(answer)

    async def _commit_all(self) -> None:
        batch: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                try:
                    async with self._sessions.begin() as session:
                        stored = await events.store_many(session, [e for e, _ in batch])
                except Exception as exc:  # every delivery of the batch answers 503
                    _fail(batch, exc)
                    continue
                for event, answer in batch:
                    first = event["id"] in stored
                    stored.discard(event["id"])  # a second delivery in the batch: duplicate
                    if not answer.done():
                        answer.set_result(first)
        finally:  # cancelled (the server stopping): nobody is left waiting for an answer
            stopped = RuntimeError("the server stopped before the event was stored")
            _fail([*batch, *self._waiting], stopped)
            self._waiting = []


def _fail(batch: list[tuple[dict[str, Any], asyncio.Future[bool]]], error: BaseException) -> None:
    for _, answer in batch:
        if not answer.done():
            answer.set_exception(error)
            # Retrieved here too, so a delivery whose sender left logs no "never retrieved".
            answer.exception()
