"""The outbox relay: posts queued Slack messages, retries with backoff, marks each sent once.

Several processes may run a relay on one database: messages are claimed under a lease, so
each is posted by one process. Per channel only the oldest unsent message is claimed, so a
channel's messages arrive in the order they were queued even across Slack outages.

A process killed in the instant between Slack's answer and the database commit may post that
one message again after the lease expires; chat.postMessage has no idempotency key to close it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.backoff import RetryPolicy, nap
from storage.models import utcnow
from storage.repos import outbox

log = logging.getLogger(__name__)

# Slack errors that retrying cannot fix: the message is marked dead at once (and logged).
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_blocks",
    "invalid_arguments",
    "msg_too_long",
    "no_text",
    "user_not_found",
    "user_not_in_channel",
    "cannot_dm_bot",
    "message_not_found",
    "cant_update_message",
    "account_inactive",
}


class NotYet(Exception):
    """The message depends on another that has not been sent yet (an update of it)."""


@dataclass(frozen=True)
class RelayTuning:
    batch: int = 20
    # Short, because a crashed process's messages wait this long; renewed during each send.
    lease: timedelta = timedelta(seconds=15)
    poll_seconds: float = 1.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class Relay:
    """Run `run()` as a task; call `wake()` after committing new messages to skip the poll wait."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        slack: AsyncWebClient,
        tuning: RelayTuning = RelayTuning(),
        wake: asyncio.Event | None = None,
    ) -> None:
        self._sessions = sessions
        self._slack = slack
        self._tuning = tuning
        self._wake = wake or asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                sent = await self.deliver_due()
            except Exception:
                log.exception("outbox relay pass failed; retrying")
                sent = 0
            if sent == 0:
                await nap(self._wake, self._tuning.poll_seconds)

    async def deliver_due(self) -> int:
        """One pass: claim due messages and try each once. Returns how many were handled."""
        async with self._sessions.begin() as session:
            claimed = await outbox.claim(
                session, limit=self._tuning.batch, lease=self._tuning.lease
            )
        claimed_at = asyncio.get_running_loop().time()
        for message in claimed:
            await self._deliver(message, claimed_at)
        return len(claimed)

    async def _deliver(self, message: outbox.Claimed, claimed_at: float) -> None:
        # A lease still fresh from the claim needs no renewal before the send (one transaction
        # less per message); an older one is renewed, or skipped if it was lost meanwhile.
        age = asyncio.get_running_loop().time() - claimed_at
        if age > self._tuning.lease.total_seconds() / 3 and not await self._renew(message):
            return
        keeper = asyncio.create_task(self._keep_leased(message))
        try:
            ts = await self._send(message)
        except Exception as exc:
            retry_at, reason = self._after_failure(message, exc)
            if retry_at is None:
                log.error("outbox message %s dead after %s: %s", message.id, reason, exc)
            else:
                log.warning("outbox message %s failed (%s); retrying", message.id, reason)
            async with self._sessions.begin() as session:
                await outbox.mark_failed(session, message, error=reason, retry_at=retry_at)
            return
        finally:
            keeper.cancel()
        async with self._sessions.begin() as session:
            if not await outbox.mark_sent(session, message, ts=ts):
                log.error("outbox message %s was sent after its lease was lost", message.id)

    async def _renew(self, message: outbox.Claimed) -> bool:
        async with self._sessions.begin() as session:
            return await outbox.renew(session, message, lease=self._tuning.lease)

    async def _keep_leased(self, message: outbox.Claimed) -> None:
        """Renew the lease every third of its length for as long as the send takes."""
        while True:
            await asyncio.sleep(self._tuning.lease.total_seconds() / 3)
            try:
                await self._renew(message)
            except Exception:
                log.exception("could not renew the lease of outbox message %s", message.id)

    def _after_failure(self, message: outbox.Claimed, exc: Exception) -> tuple[Any, str]:
        attempts = message.attempts + 1
        if isinstance(exc, NotYet):
            return utcnow() + timedelta(seconds=1), str(exc)
        if isinstance(exc, SlackApiError):
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if exc.response.status_code == 429:
                wait = _retry_after(exc.response.headers)
                if attempts >= self._tuning.retry.max_attempts:
                    return None, f"ratelimited ({attempts} attempts)"
                return utcnow() + timedelta(seconds=wait), f"ratelimited, Retry-After {wait}s"
            if error in PERMANENT:
                return None, error
            return self._tuning.retry.next_attempt(attempts), error
        if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
            return self._tuning.retry.next_attempt(attempts), f"network: {exc!r}"
        return self._tuning.retry.next_attempt(attempts), f"unexpected: {exc!r}"

    async def _send(self, message: outbox.Claimed) -> str | None:
        payload = dict(message.payload)
        content = {k: payload[k] for k in ("text", "blocks") if k in payload}
        if message.kind == "post":
            response = await self._slack.chat_postMessage(channel=message.target, **content)
            return str(response["ts"])
        if message.kind == "dm":
            opened = await self._slack.conversations_open(users=message.target)
            channel = opened["channel"]["id"]
            response = await self._slack.chat_postMessage(channel=channel, **content)
            return str(response["ts"])
        if message.kind == "ephemeral":
            response = await self._slack.chat_postEphemeral(
                channel=message.target, user=payload["user"], **content
            )
            return str(response.get("message_ts") or "")
        if message.kind == "update":
            ts = payload.get("ts") or await self._sent_ts(payload["update_of"])
            response = await self._slack.chat_update(channel=message.target, ts=ts, **content)
            return str(response["ts"])
        raise ValueError(f"unknown outbox kind {message.kind!r}")

    async def _sent_ts(self, dedupe_key: str) -> str:
        async with self._sessions() as session:
            ts = await outbox.sent_ts(session, dedupe_key)
        if not ts:
            raise NotYet(f"{dedupe_key} not sent yet")
        return ts


def _retry_after(headers: Any) -> int:
    headers = {str(k).lower(): v for k, v in (headers or {}).items()}
    value = headers.get("retry-after", 1)
    if isinstance(value, list):  # slack_sdk keeps multi-valued headers as lists
        value = value[0] if value else 1
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
