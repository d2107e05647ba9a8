"""Trigger ids: issued by the fake, good for 3 seconds on its clock, exchanged once."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.testing import SlackFake
from sandbox.slack_fake.triggers import LIFETIME_SECONDS

pytest_plugins = ["tests.sandbox.conftest_slack"]


def modal(title: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": title}}],
    }


async def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def test_a_trigger_opens_one_view_once(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    trigger = await slack_fake.issue_trigger("U1")
    assert (await slack_web.views_open(trigger_id=trigger, view=modal("One")))["ok"]
    assert await _error(slack_web.views_open(trigger_id=trigger, view=modal("Two"))) == (
        "exchanged_trigger_id"
    )


@pytest.mark.parametrize("trigger", ["1.2.abc", "not-a-trigger", "12345.98765.abcd2358fdea"])
async def test_a_trigger_slack_never_issued_is_invalid(
    slack_web: AsyncWebClient, trigger: str
) -> None:
    assert await _error(slack_web.views_open(trigger_id=trigger, view=modal("x"))) == (
        "invalid_trigger_id"
    )


async def test_a_trigger_expires_after_three_seconds_on_the_fakes_clock(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    assert LIFETIME_SECONDS == 3.0
    fresh, stale = await slack_fake.issue_trigger("U1"), await slack_fake.issue_trigger("U1")
    await slack_fake.advance_clock(2.5)
    assert (await slack_web.views_open(trigger_id=fresh, view=modal("In time")))["ok"]
    await slack_fake.advance_clock(0.6)
    assert await _error(slack_web.views_open(trigger_id=stale, view=modal("Late"))) == (
        "expired_trigger_id"
    )
    # A used trigger says so however old it is.
    assert await _error(slack_web.views_open(trigger_id=fresh, view=modal("Again"))) == (
        "exchanged_trigger_id"
    )


async def test_an_invalid_view_does_not_spend_the_trigger(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    trigger = await slack_fake.issue_trigger("U1")
    bad = {**modal("x"), "title": {"type": "plain_text", "text": "x" * 25}}
    assert await _error(slack_web.views_open(trigger_id=trigger, view=bad)) == ("invalid_arguments")
    assert (await slack_web.views_open(trigger_id=trigger, view=modal("Fixed")))["ok"]


async def test_views_push_stacks_three_views_at_most(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    opened = await slack_web.views_open(
        trigger_id=await slack_fake.issue_trigger("U1"), view=modal("Root")
    )
    root = top = opened["view"]
    for title in ("Second", "Third"):
        trigger = await slack_fake.issue_trigger("U1", view_id=top["id"])
        pushed = (await slack_web.views_push(trigger_id=trigger, view=modal(title)))["view"]
        assert pushed["root_view_id"] == root["id"]
        assert pushed["previous_view_id"] == top["id"]
        top = pushed
    fourth = await slack_fake.issue_trigger("U1", view_id=top["id"])
    assert await _error(slack_web.views_push(trigger_id=fourth, view=modal("Fourth"))) == (
        "push_limit_reached"
    )
    not_from_a_modal = await slack_fake.issue_trigger("U1")
    assert await _error(slack_web.views_push(trigger_id=not_from_a_modal, view=modal("x"))) == (
        "not_found"
    )
    spent = await slack_fake.issue_trigger("U1", view_id=root["id"])
    await slack_fake.advance_clock(3.5)
    assert await _error(slack_web.views_push(trigger_id=spent, view=modal("x"))) == (
        "expired_trigger_id"
    )


async def test_the_clock_only_moves_forward(slack_fake: SlackFake) -> None:
    before = await slack_fake.advance_clock(0)
    assert await slack_fake.advance_clock(60) >= before + 60
    async with aiohttp.ClientSession() as http:
        for body in ({"advance": -1}, {"advance": "soon"}, ["advance"]):
            async with http.post(f"{slack_fake.url}_fake/clock", json=body) as resp:
                assert resp.status == 400
                assert "advance" in (await resp.text()) or "JSON object" in (await resp.text())
