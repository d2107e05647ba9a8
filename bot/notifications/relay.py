"""The outbox relay: posts queued Slack messages, retries with backoff, marks each sent once.

Several processes may run a relay on one database: messages are claimed under a lease, so
each is posted by one process. Per channel only the oldest unsent message is claimed, so a
channel's messages arrive in the order they were queued even across Slack outages. A message
that fails for good (its channel, its blocks; `failures.PERMANENT`) is given up at once, and an
edit goes with the message it edits, so neither holds its channel's later messages back.

A process killed in the instant between Slack's answer and the database commit may post that
one message again after the lease expires; chat.postMessage has no idempotency key to close it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.backoff import RetryPolicy
from bot.notifications.failures import NotYet, Undeliverable, after_failure
from bot.notifications.private import send_dm, send_private
from bot.worker import Worker
from storage.models import utcnow
from storage.repos import outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayTuning:
    batch: int = 20
    # Short, because a crashed process's messages wait this long; renewed during each send.
    lease: timedelta = timedelta(seconds=15)
    poll_seconds: float = 1.0
    # A send that hangs is abandoned (and retried) after this long. The Slack client's own
    # `timeout` does not apply when it sends through a shared aiohttp session (slack_sdk
    # async_internal_utils._request_with_session uses the session's timeout, 5 minutes by
    # default), and one hung call would hold every channel's messages back.
    send_timeout: float = 20.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class Relay(Worker):
    """Run `run()` as a task; call `wake()` after committing new messages to skip the poll wait.

    `clock` is the relay's notion of now for due times, leases and backoff (tests move it).
    """

    name = "outbox relay"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        slack: AsyncWebClient,
        tuning: RelayTuning = RelayTuning(),
        wake: asyncio.Event | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(sessions, poll_seconds=tuning.poll_seconds, wake=wake)
        self._slack = slack
        self._tuning = tuning
        self._clock = clock

    async def one_pass(self) -> int:
        return await self.deliver_due()

    async def deliver_due(self) -> int:
        """One pass: claim due messages and try each once. Returns how many were handled."""
        async with self._sessions() as session:  # a read: no write turn when nothing is due
            if not await outbox.any_due(session, now=self._clock()):
                return 0
        async with self._sessions.begin() as session:
            claimed = await outbox.claim(
                session, limit=self._tuning.batch, lease=self._tuning.lease, now=self._clock()
            )
        claimed_at = asyncio.get_running_loop().time()

        async def deliver(message: outbox.Claimed) -> None:
            await self._deliver(message, claimed_at)

        await self.work_through(claimed, deliver, outbox.release)
        return len(claimed)

    async def _deliver(self, message: outbox.Claimed, claimed_at: float) -> None:
        # A lease still fresh from the claim needs no renewal before the send (one transaction
        # less per message); an older one is renewed, or skipped if it was lost meanwhile.
        age = asyncio.get_running_loop().time() - claimed_at
        if age > self._tuning.lease.total_seconds() / 3 and not await self._renew(message):
            return
        keeper = asyncio.create_task(self._keep_leased(message))
        try:
            async with asyncio.timeout(self._tuning.send_timeout):
                ts = await self._send(message)
        except Exception as exc:
            failure = after_failure(
                exc, attempts=message.attempts + 1, retry=self._tuning.retry, now=self._clock()
            )
            if failure.retry_at is None:
                log.error("outbox message %s dead: %s", message.id, failure.reason)
            elif failure.counts:
                log.warning("outbox message %s failed (%s); retrying", message.id, failure.reason)
            async with self._sessions.begin() as session:
                await outbox.mark_failed(
                    session,
                    message,
                    error=failure.reason,
                    retry_at=failure.retry_at,
                    counts=failure.counts,
                )
            return
        finally:
            keeper.cancel()
        async with self._sessions.begin() as session:
            if not await outbox.mark_sent(session, message, ts=ts):
                log.error("outbox message %s was sent after its lease was lost", message.id)

    async def _renew(self, message: outbox.Claimed) -> bool:
        async with self._sessions.begin() as session:
            return await outbox.renew(session, message, lease=self._tuning.lease, now=self._clock())

    async def _keep_leased(self, message: outbox.Claimed) -> None:
        """Renew the lease every third of its length for as long as the send takes."""
        while True:
            await asyncio.sleep(self._tuning.lease.total_seconds() / 3)
            try:
                await self._renew(message)
            except Exception:
                log.exception("could not renew the lease of outbox message %s", message.id)

    async def _send(self, message: outbox.Claimed) -> str | None:
        """Send `message` once; its Slack `ts`. Raises what Slack or the network raised,
        `NotYet` while the message an edit edits is pending, `Undeliverable` when it can never be
        sent as queued."""
        payload = dict(message.payload)
        content: dict[str, Any] = {k: payload[k] for k in ("text", "blocks") if k in payload}
        if message.kind == "post":
            response = await self._slack.chat_postMessage(channel=message.target, **content)
            return str(response["ts"])
        if message.kind == "dm":
            return await send_dm(self._slack, message.target, content)
        if message.kind == "private":
            return await send_private(
                self._sessions,
                self._slack,
                user_id=message.target,
                payload=payload,
                content=content,
                clock=self._clock,
            )
        if message.kind == "ephemeral":
            if not payload.get("user"):
                raise Undeliverable("an ephemeral message without the user who should see it")
            response = await self._slack.chat_postEphemeral(
                channel=message.target, user=payload["user"], **content
            )
            return str(response.get("message_ts") or "")
        if message.kind == "update":
            ts = payload.get("ts") or await self._edited_ts(message, payload.get("update_of"))
            response = await self._slack.chat_update(channel=message.target, ts=ts, **content)
            return str(response["ts"])
        raise Undeliverable(f"unknown outbox kind {message.kind!r}")

    async def _edited_ts(self, message: outbox.Claimed, key: Any) -> str:
        """The `ts` of the message this edit edits, once that one was sent.

        An edit goes with the message it edits: when that one is dead (or was never queued,
        or was queued after the edit, or left no message to edit) the edit is `Undeliverable`,
        so it never holds its channel back waiting for a `ts` that cannot come.
        """
        if not key:
            raise Undeliverable("an edit that names no message to edit")
        async with self._sessions() as session:
            original = await outbox.original(session, str(key))
        if original is None:
            raise Undeliverable(f"edits {key}, which was never queued")
        if original.id > message.id:
            raise Undeliverable(f"edits {key}, which was queued after the edit")
        if original.status == "dead":
            raise Undeliverable(f"edits {key}, which was never delivered: {original.last_error}")
        if original.status == "pending":
            raise NotYet(f"waits for {key} to be sent", until=original.next_attempt_at)
        if not original.sent_ts:
            raise Undeliverable(f"edits {key}, which left no message to edit")
        return original.sent_ts
