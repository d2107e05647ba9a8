"""Faults like an outage: a lost answer after the post, 5xx and 429 on any method."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.testing import TEST_TOKEN as SLACK_TEST_TOKEN
from sandbox.slack_fake.testing import SlackFake

pytest_plugins = ["tests.sandbox.conftest_slack"]


async def test_a_dropped_answer_means_slack_posted_anyway(slack_fake: SlackFake) -> None:
    client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=slack_fake.api_url, retry_handlers=[])
    await slack_fake.fault("chat.postMessage", "drop")
    with pytest.raises(aiohttp.ClientError):
        await client.chat_postMessage(channel="C1", text="payout sent")
    # The app saw a failure; the channel saw the message.
    assert [m["text"] for m in await slack_fake.messages("C1")] == ["payout sent"]
    (call,) = await slack_fake.calls("chat.postMessage")
    assert call["ok"] is True


async def test_slack_sdks_connection_retry_posts_a_dropped_message_twice(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    # slack_sdk's default handlers retry a closed connection once: the answer to the retry
    # arrives, and the channel has the message twice (chat.postMessage has no idempotency key).
    await slack_fake.fault("chat.postMessage", "drop")
    assert (await slack_web.chat_postMessage(channel="C1", text="payout sent"))["ok"]
    assert [m["text"] for m in await slack_fake.messages("C1")] == ["payout sent"] * 2


async def test_a_timeout_means_nothing_happened(slack_fake: SlackFake) -> None:
    client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=slack_fake.api_url, timeout=1)
    await slack_fake.fault("chat.postMessage", "timeout", seconds=2)
    with pytest.raises(TimeoutError):
        await client.chat_postMessage(channel="C1", text="x")
    assert await slack_fake.messages("C1") == []


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", "internal_error"),
        ("502", "fatal_error"),
        ("503", "service_unavailable"),
        ("504", "fatal_error"),
    ],
)
@pytest.mark.parametrize("method", ["views.push", "conversations.open", "chat.postEphemeral"])
async def test_5xx_on_any_method(
    slack_web: AsyncWebClient, slack_fake: SlackFake, kind: str, error: str, method: str
) -> None:
    await slack_fake.fault(method, kind)
    with pytest.raises(SlackApiError) as info:
        await slack_web.api_call(method, json={"channel": "C1", "user": "U1", "text": "x"})
    assert info.value.response.status_code == int(kind)
    assert info.value.response["error"] == error


async def test_a_wildcard_fault_takes_the_next_call_of_any_method(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    await slack_fake.fault("*", "429", count=2, retry_after=4)
    for call in (slack_web.users_info(user="U1"), slack_web.views_publish(user_id="U1", view={})):
        with pytest.raises(SlackApiError) as info:
            await call
        assert info.value.response.status_code == 429
        assert info.value.response.headers["Retry-After"] == "4"
    assert (await slack_web.users_info(user="U1"))["ok"] is True


async def test_an_unknown_fault_kind_is_refused_with_the_choices(slack_fake: SlackFake) -> None:
    async with aiohttp.ClientSession() as http:
        body = {"method": "chat.postMessage", "kind": "flaky"}
        async with http.post(f"{slack_fake.url}_fake/faults", json=body) as resp:
            assert resp.status == 400
            assert "drop" in await resp.text() and "response_url" in await resp.text()
