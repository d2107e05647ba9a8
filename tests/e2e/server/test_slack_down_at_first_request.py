"""Slack unreachable or failing while a listener runs: one warning line, never a traceback
or an alarming DM; Bolt's first bot-token check recovers.

Bolt calls `auth.test` on a process's first request (and until one succeeds). Found by
`make chaos`: a lost answer there (the "drop" fault: the connection closes) reached the error
handler as an aiohttp error and was logged with a traceback, and telling the person about it
raised again for an event, which has no response URL.
"""

from __future__ import annotations

import logging

import pytest

from bot.app import INTERNAL_ERROR
from tests.harness import OPERATOR, Connectbot


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


async def test_an_event_during_the_first_token_check_is_retried_by_slack(
    cb: Connectbot, caplog: pytest.LogCaptureFixture
) -> None:
    await cb.slack.fault("auth.test", "drop")
    with caplog.at_level(logging.WARNING):
        reply = await cb.slack_sender.app_home_opened(OPERATOR)
    # The first delivery failed (not 2xx), so Slack delivered it again, and that one worked.
    assert reply.status == 200 and reply.attempts == 2, reply
    [published] = await cb.until(lambda: cb.posted("views.publish"), what="the App Home")
    assert published["params"]["user_id"] == OPERATOR
    assert _tracebacks(caplog) == []
    assert any("network" in r.getMessage() for r in caplog.records)


async def test_a_command_during_the_first_token_check_gets_an_answer(
    cb: Connectbot, caplog: pytest.LogCaptureFixture
) -> None:
    await cb.slack.fault("auth.test", "drop")
    with caplog.at_level(logging.WARNING):
        reply = await cb.slack_sender.command("/fees", "", user_id=OPERATOR)
    assert reply.response_key is not None
    [note] = await cb.slack.responses_when(reply.response_key)
    assert note["text"] == INTERNAL_ERROR
    assert _tracebacks(caplog) == []
    # The next command finds Slack again and is answered as usual.
    again = await cb.slack_sender.command("/fees", "", user_id=OPERATOR)
    assert again.status == 200 and "internal error" not in again.body


async def test_app_home_when_the_publish_answer_is_lost_tells_nobody(
    cb: Connectbot, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by `make chaos`: a lost `views.publish` answer reached the error handler, which
    sent the person a DM about an internal error for opening a tab (and, with Slack failing
    that too, logged a traceback)."""
    await cb.slack.fault("views.publish", "drop")

    def warned() -> list[str]:
        return [r.getMessage() for r in caplog.records if "App Home" in r.getMessage()]

    with caplog.at_level(logging.WARNING):
        reply = await cb.slack_sender.app_home_opened(OPERATOR)
        assert reply.status == 200
        [warning] = await cb.until(warned, what="the warning")
    assert "network" in warning
    assert await cb.posted("conversations.open") == []
    assert await cb.posted("chat.postMessage") == []
    assert _tracebacks(caplog) == []


async def test_slack_failing_the_error_note_too_is_one_warning(
    cb: Connectbot, caplog: pytest.LogCaptureFixture
) -> None:
    """A command fails (Slack unreachable at the token check); its note can't go through the
    response URL (500) nor by DM (503): one warning line each, no traceback."""
    await cb.slack.fault("auth.test", "drop")
    await cb.slack.fault("response_url", "500")
    await cb.slack.fault("conversations.open", "503")

    def gave_up() -> list[str]:
        return [r.getMessage() for r in caplog.records if "could not tell" in r.getMessage()]

    with caplog.at_level(logging.WARNING):
        await cb.slack_sender.command("/fees", "", user_id=OPERATOR)
        [warning] = await cb.until(gave_up, what="the warning")
    assert "service_unavailable" in warning
    assert _tracebacks(caplog) == []
