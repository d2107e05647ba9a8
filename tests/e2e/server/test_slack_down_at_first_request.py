"""Slack unreachable when Bolt first checks the bot token: one warning line, then it recovers.

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
