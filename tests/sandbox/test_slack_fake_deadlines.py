"""The 3-second answer: late command and interaction answers are dropped, late events retried."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.delivery import ANSWER_SECONDS, EVENT_RETRY_DELAYS
from sandbox.slack_fake.slackbot import SLACKBOT
from sandbox.slack_fake.testing import TEST_SIGNING_SECRET as SLACK_TEST_SIGNING_SECRET
from sandbox.slack_fake.testing import SlackFake

pytest_plugins = ["tests.sandbox.conftest_slack"]

FAST_RETRIES = (0.0, 0.01, 0.02)


@dataclass
class SlowApp:
    """An app that answers after `delays[n]` seconds for its n-th request (0 after those)."""

    url: str = ""
    delays: list[float] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seen: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
async def slow_app() -> AsyncIterator[SlowApp]:
    app_state = SlowApp()

    async def handle(request: web.Request) -> web.Response:
        n = len(app_state.seen)
        app_state.seen.append(dict(request.headers))
        app_state.bodies.append(await request.read())
        await asyncio.sleep(app_state.delays[n] if n < len(app_state.delays) else 0)
        return web.Response(
            status=app_state.status, text="the late answer", headers=app_state.headers
        )

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    app_state.url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    yield app_state
    await runner.cleanup()


def sender(app: SlowApp, fake: SlackFake, answer_seconds: float = 0.2) -> SlackSender:
    return SlackSender(
        app.url,
        SLACK_TEST_SIGNING_SECRET,
        fake_url=fake.url,
        answer_seconds=answer_seconds,
        event_retry_delays=FAST_RETRIES,
    )


def test_slacks_numbers() -> None:
    assert ANSWER_SECONDS == 3.0
    # Slack retries an event at once, after 1 minute and after 5; the sender, 100x sooner.
    assert EVENT_RETRY_DELAYS == (0.0, 0.6, 3.0)


async def test_a_command_answered_after_three_seconds_is_operation_timeout(
    slow_app: SlowApp, slack_fake: SlackFake
) -> None:
    slow_app.delays = [3.3]
    async with sender(slow_app, slack_fake, answer_seconds=ANSWER_SECONDS) as slack:
        reply = await slack.command("/charge", "10", user_id="U1", channel_id="C7")
    assert (reply.status, reply.body, reply.error) == (0, "", "operation_timeout")
    (note,) = await slack_fake.messages("C7")
    assert note["user"] == SLACKBOT and note["ephemeral_for"] == "U1"
    assert note["text"] == '/charge failed with the error "operation_timeout"'
    (delivery,) = await slack_fake.deliveries("command")
    assert delivery["error"] == "operation_timeout" and delivery["name"] == "/charge"


async def test_an_answer_in_time_is_kept(slow_app: SlowApp, slack_fake: SlackFake) -> None:
    slow_app.delays = [0.05]
    async with sender(slow_app, slack_fake) as slack:
        reply = await slack.command("/charge", "10", user_id="U1")
    assert (reply.status, reply.body, reply.error) == (200, "the late answer", None)
    assert await slack_fake.deliveries() == []


async def test_late_interactions_are_dropped_too(slow_app: SlowApp, slack_fake: SlackFake) -> None:
    slow_app.delays = [0.5, 0.5]
    async with sender(slow_app, slack_fake) as slack:
        click = await slack.block_action("approve", user_id="U1", channel_id="C7")
        view = {"id": "V1", "callback_id": "refund", "blocks": []}
        submit = await slack.view_submission(view, {}, user_id="U1")
    assert click.error == submit.error == "operation_timeout"
    assert click.body == submit.body == ""
    kinds = [d["kind"] for d in await slack_fake.deliveries()]
    assert kinds == ["block_actions", "view_submission"]
    assert await slack_fake.messages("C7") == []  # Slackbot only speaks up for commands


async def test_a_late_event_is_delivered_again_with_the_retry_headers(
    slow_app: SlowApp, slack_fake: SlackFake
) -> None:
    slow_app.delays = [0.5]
    async with sender(slow_app, slack_fake) as slack:
        reply = await slack.app_home_opened("U1")
    assert (reply.status, reply.attempts, reply.error) == (200, 2, None)
    first, retry = slow_app.seen
    assert "X-Slack-Retry-Num" not in first
    assert (retry["X-Slack-Retry-Num"], retry["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    ids = {json.loads(body)["event_id"] for body in slow_app.bodies}
    assert len(ids) == 1  # the same event, delivered again
    (delivery,) = await slack_fake.deliveries("event")
    assert delivery["error"] == "http_timeout" and delivery["will_retry"] is True


async def test_an_event_is_retried_three_times_at_most(
    slow_app: SlowApp, slack_fake: SlackFake
) -> None:
    slow_app.status = 500
    async with sender(slow_app, slack_fake) as slack:
        reply = await slack.app_home_opened("U1")
    assert (reply.status, reply.attempts) == (500, 4)
    numbers = [h.get("X-Slack-Retry-Num") for h in slow_app.seen]
    assert numbers == [None, "1", "2", "3"]
    assert {h.get("X-Slack-Retry-Reason") for h in slow_app.seen[1:]} == {"http_error"}
    assert [d["will_retry"] for d in await slack_fake.deliveries("event")] == [
        True,
        True,
        True,
        False,
    ]


async def test_no_retry_when_the_app_asks_for_none(
    slow_app: SlowApp, slack_fake: SlackFake
) -> None:
    slow_app.status, slow_app.headers = 503, {"X-Slack-No-Retry": "1"}
    async with sender(slow_app, slack_fake) as slack:
        reply = await slack.app_home_opened("U1")
    assert (reply.status, reply.attempts, len(slow_app.seen)) == (503, 1, 1)
