"""What the outbox relay does after each kind of failed send (bot/notifications/failures.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from bot.backoff import RetryPolicy
from bot.notifications.failures import (
    NotYet,
    Undeliverable,
    after_failure,
    retry_after,
)

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
RETRY = RetryPolicy(base_seconds=1.0, cap_seconds=300.0, max_attempts=20)


def slack_error(error: str, status: int = 200, headers: dict[str, Any] | None = None) -> Exception:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError(error, response)


@pytest.mark.parametrize(
    ("exc", "attempts", "dead", "counts", "reason"),
    [
        (slack_error("channel_not_found"), 1, True, True, "channel_not_found"),
        (slack_error("invalid_blocks"), 1, True, True, "invalid_blocks"),
        (slack_error("invalid_blocks_format"), 1, True, True, "invalid_blocks_format"),
        (slack_error("is_archived"), 1, True, True, "is_archived"),
        (slack_error("not_in_channel"), 1, True, True, "not_in_channel"),
        (slack_error("internal_error", 500), 1, False, True, "internal_error"),
        (slack_error("internal_error", 500), 20, True, True, "internal_error"),
        (slack_error("ratelimited", 429, {"Retry-After": "7"}), 1, False, True, "Retry-After 7s"),
        (slack_error("ratelimited", 429), 20, True, True, "ratelimited (20 attempts)"),
        (TimeoutError(), 3, False, True, "network"),
        (aiohttp.ClientConnectionError("reset"), 3, False, True, "network"),
        (KeyError("ts"), 3, False, True, "unexpected"),
        (Undeliverable("edits p1, which was never delivered"), 1, True, True, "never delivered"),
        (NotYet("waits for p1", until=NOW), 19, False, False, "waits for p1"),
    ],
)
def test_each_failure_is_retried_or_given_up(
    exc: Exception, attempts: int, dead: bool, counts: bool, reason: str
) -> None:
    failure = after_failure(exc, attempts=attempts, retry=RETRY, now=NOW)
    assert (failure.retry_at is None) == dead
    assert failure.counts == counts and reason in failure.reason
    if failure.retry_at is not None:
        assert failure.retry_at > NOW


def test_a_429_waits_its_retry_after_and_an_edit_waits_for_its_original() -> None:
    limited = after_failure(
        slack_error("ratelimited", 429, {"retry-after": ["30"]}), attempts=1, retry=RETRY, now=NOW
    )
    assert limited.retry_at == NOW + timedelta(seconds=30)
    later = NOW + timedelta(minutes=5)
    waiting = after_failure(NotYet("waits", until=later), attempts=1, retry=RETRY, now=NOW)
    assert waiting.retry_at == later
    soon = after_failure(NotYet("waits", until=NOW), attempts=1, retry=RETRY, now=NOW)
    assert soon.retry_at == NOW + timedelta(seconds=1)  # never a busy loop


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({}, 1), ({"Retry-After": "0"}, 1), ({"retry-after": "12"}, 12), ({"Retry-After": "x"}, 1)],
)
def test_retry_after_is_whole_seconds_at_least_one(headers: dict[str, Any], seconds: int) -> None:
    assert retry_after(headers) == seconds
