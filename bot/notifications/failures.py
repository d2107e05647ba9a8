"""What the outbox relay does after a failed send: retry when, or give the message up.

Pure: the exception, the attempts so far and the clock in; a `Failure` out. A message is given
up (dead) only for a reason retrying cannot fix, so it never holds its channel's later messages
back for long; everything else is retried with backoff, bounded by the retry policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.backoff import RetryPolicy

# Slack errors that retrying cannot fix: the message is marked dead at once (and logged).
# From Slack's chat.postMessage / chat.update / chat.postEphemeral / conversations.open error
# lists (api.slack.com/methods/…; mirrored in slack-ruby/slack-api-ref methods/chat/*.json).
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_attachments",
    "block_mismatch",
    "invalid_arguments",
    "msg_too_long",
    "no_text",
    "too_many_attachments",
    "restricted_action",
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel",
    "no_permission",
    "user_not_found",
    "user_not_in_channel",
    "cannot_dm_bot",
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
    "is_inactive",
    "account_inactive",
}


class NotYet(Exception):
    """The message edits another that is still pending: wait for it, without using an attempt."""

    def __init__(self, reason: str, *, until: datetime) -> None:
        super().__init__(reason)
        self.until = until


class Undeliverable(Exception):
    """The message can never be sent as queued (it edits a message that was never delivered,
    or its payload lacks what its kind needs): it is given up at once."""


@dataclass(frozen=True)
class Failure:
    retry_at: datetime | None  # None: give the message up (dead)
    reason: str
    counts: bool = True  # whether this failure uses up one of the message's attempts


def is_network_error(exc: BaseException) -> bool:
    """The network failed (Slack unreachable, the answer lost or late): weather, not a bug."""
    return isinstance(exc, aiohttp.ClientError | TimeoutError | OSError)


def is_slack_weather(exc: BaseException) -> bool:
    """Slack could not be reached or could not serve the call for now (the network, a 5xx or
    a 429): weather a listener meets, to log in one line. Any other Slack error (a refused
    argument, a missing scope) is a bug and keeps its traceback."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 0) or 0
        return status == 429 or status >= 500
    return is_network_error(exc)


def after_failure(exc: Exception, *, attempts: int, retry: RetryPolicy, now: datetime) -> Failure:
    """What to do after the `attempts`-th failed send (this one included) raised `exc`."""
    if isinstance(exc, NotYet):
        return Failure(max(exc.until, now + timedelta(seconds=1)), str(exc), counts=False)
    if isinstance(exc, Undeliverable):
        return Failure(None, str(exc))
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
        if exc.response.status_code == 429:
            if attempts >= retry.max_attempts:
                return Failure(None, f"ratelimited ({attempts} attempts)")
            wait = retry_after(exc.response.headers)
            return Failure(now + timedelta(seconds=wait), f"ratelimited, Retry-After {wait}s")
        if error in PERMANENT:
            return Failure(None, error)
        return Failure(retry.next_attempt(attempts, now=now), error)
    if is_network_error(exc):
        return Failure(retry.next_attempt(attempts, now=now), f"network: {exc!r}")
    return Failure(retry.next_attempt(attempts, now=now), f"unexpected: {exc!r}")


def retry_after(headers: Any) -> int:
    """Slack's `Retry-After` in whole seconds (at least 1; 1 when missing or unreadable)."""
    headers = {str(k).lower(): v for k, v in (headers or {}).items()}
    value = headers.get("retry-after", 1)
    if isinstance(value, list):  # slack_sdk keeps multi-valued headers as lists
        value = value[0] if value else 1
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
