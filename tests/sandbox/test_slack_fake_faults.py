"""Faults on demand: 429 with Retry-After, 500, outage, and reset."""

from __future__ import annotations

import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.testing import TEST_TOKEN as SLACK_TEST_TOKEN
from sandbox.slack_fake.testing import SlackFake

pytest_plugins = ["tests.sandbox.conftest_slack"]


async def test_429_is_retried_after_retry_after(slack_fake: SlackFake) -> None:
    client = AsyncWebClient(
        token=SLACK_TEST_TOKEN,
        base_url=slack_fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    await slack_fake.fault("chat.postMessage", "429", count=1, retry_after=1)
    started = time.monotonic()
    resp = await client.chat_postMessage(channel="C1", text="after the limit")
    assert resp["ok"] is True
    assert time.monotonic() - started >= 1.0
    calls = await slack_fake.calls("chat.postMessage")
    assert [(c["status"], c["error"]) for c in calls] == [(429, "ratelimited"), (200, None)]
    assert len(await slack_fake.messages("C1")) == 1


async def test_429_without_retry_handler_surfaces_retry_after(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    await slack_fake.fault("users.info", "429", count=1, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await slack_web.users_info(user="U1")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    assert (await slack_web.users_info(user="U1"))["ok"] is True


async def test_500_outage_and_reset(slack_web: AsyncWebClient, slack_fake: SlackFake) -> None:
    await slack_fake.fault("auth.test", "500", count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            await slack_web.auth_test()
        assert info.value.response.status_code == 500
    assert (await slack_web.auth_test())["ok"] is True
    await slack_fake.outage(on=True)
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 503
    await slack_fake.outage(on=False)
    await slack_web.chat_postMessage(channel="C1", text="x")
    await slack_fake.fault("chat.postMessage", "429", count=5)
    await slack_fake.reset()
    assert await slack_fake.calls() == []
    assert await slack_fake.messages("C1") == []
    assert (await slack_web.chat_postMessage(channel="C1", text="y"))["ok"] is True


async def test_timeout_fault_hangs_past_the_client_timeout(slack_fake: SlackFake) -> None:
    client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=slack_fake.api_url, timeout=1)
    await slack_fake.fault("chat.postMessage", "timeout", count=1, seconds=3)
    with pytest.raises(TimeoutError):
        await client.chat_postMessage(channel="C1", text="x")
    assert (await slack_fake.calls("chat.postMessage"))[0]["error"] == "timeout"
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"] is True
