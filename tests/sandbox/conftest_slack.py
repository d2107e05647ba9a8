"""Fixtures for the fake Slack (prefixed `slack_`). Import them from a test module or conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.testing import TEST_SIGNING_SECRET as SLACK_TEST_SIGNING_SECRET
from sandbox.slack_fake.testing import TEST_TOKEN as SLACK_TEST_TOKEN
from sandbox.slack_fake.testing import SlackFake, running_slack_fake

__all__ = ["SLACK_TEST_SIGNING_SECRET", "SLACK_TEST_TOKEN", "slack_fake", "slack_web"]


@pytest.fixture
async def slack_fake() -> AsyncIterator[SlackFake]:
    """A fresh fake Slack on a free port accepting SLACK_TEST_TOKEN."""
    async with running_slack_fake(token=SLACK_TEST_TOKEN) as fake:
        yield fake


@pytest.fixture
async def slack_web(slack_fake: SlackFake) -> AsyncIterator[AsyncWebClient]:
    """The real slack_sdk AsyncWebClient pointed at the fake."""
    client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=slack_fake.api_url)
    yield client
    if client.session is not None:
        await client.session.close()
