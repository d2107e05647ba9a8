"""Block Kit that Slack would reject is rejected by the fake, with Slack's error names."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.testing import SlackFake

pytest_plugins = ["tests.sandbox.conftest_slack"]

BAD_BLOCKS: dict[str, list[dict[str, Any]]] = {
    "button without text": [
        {"type": "actions", "elements": [{"type": "button", "action_id": "go", "value": "1"}]}
    ],
    "section of 3001 chars": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
    "unknown block type": [{"type": "banner", "text": "hi"}],
    "51 blocks": [{"type": "divider"}] * 51,
    "duplicate block_id": [
        {"type": "divider", "block_id": "a"},
        {"type": "divider", "block_id": "a"},
    ],
    "header in mrkdwn": [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}],
    "select without options": [
        {"type": "actions", "elements": [{"type": "static_select", "action_id": "s"}]}
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_BLOCKS))
async def test_invalid_blocks_are_refused(
    slack_web: AsyncWebClient, slack_fake: SlackFake, name: str
) -> None:
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_postMessage(channel="C1", text="fallback", blocks=BAD_BLOCKS[name])
    assert info.value.response["error"] == "invalid_blocks"
    assert info.value.response["errors"]
    assert all("[json-pointer:/blocks" in e for e in info.value.response["errors"])
    assert await slack_fake.messages("C1") == []
    (call,) = await slack_fake.calls("chat.postMessage")
    assert call["ok"] is False and call["error"] == "invalid_blocks"


async def test_valid_rich_message_is_accepted(slack_web: AsyncWebClient) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Charge"}},
        {
            "type": "section",
            "block_id": "s",
            "fields": [{"type": "mrkdwn", "text": "*Amount*\n$10.00"}],
            "accessory": {
                "type": "button",
                "text": {"type": "plain_text", "text": "Refund"},
                "action_id": "refund",
                "value": "ch_1",
                "style": "danger",
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "fee $1.00"}]},
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "placeholder": {"type": "plain_text", "text": "Vendor"},
                    "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}],
                }
            ],
        },
    ]
    resp = await slack_web.chat_postMessage(channel="C1", text="Charge", blocks=blocks)
    assert resp["ok"] is True
    assert all(b["block_id"] for b in resp["message"]["blocks"])


async def test_update_and_ephemeral_validate_blocks_too(slack_web: AsyncWebClient) -> None:
    posted = await slack_web.chat_postMessage(channel="C1", text="ok")
    bad = BAD_BLOCKS["button without text"]
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_update(channel="C1", ts=posted["ts"], text="x", blocks=bad)
    assert info.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_postEphemeral(channel="C1", user="U1", text="x", blocks=bad)
    assert info.value.response["error"] == "invalid_blocks"


INPUT = {
    "type": "input",
    "block_id": "amount",
    "label": {"type": "plain_text", "text": "Amount"},
    "element": {"type": "plain_text_input", "action_id": "value"},
}
TITLE = {"type": "plain_text", "text": "Refund"}
BAD_VIEWS: dict[str, dict[str, Any]] = {
    "modal without title": {"type": "modal", "blocks": [{"type": "divider"}]},
    "input without submit": {"type": "modal", "title": TITLE, "blocks": [INPUT]},
    "title over 24 chars": {
        "type": "modal",
        "title": {"type": "plain_text", "text": "x" * 25},
        "blocks": [{"type": "divider"}],
    },
    "101 blocks": {"type": "modal", "title": TITLE, "blocks": [{"type": "divider"}] * 101},
    "input without label": {
        "type": "modal",
        "title": TITLE,
        "submit": TITLE,
        "blocks": [{k: v for k, v in INPUT.items() if k != "label"}],
    },
}


@pytest.mark.parametrize("name", sorted(BAD_VIEWS))
async def test_invalid_modals_are_refused(
    slack_web: AsyncWebClient, slack_fake: SlackFake, name: str
) -> None:
    trigger = await slack_fake.issue_trigger("U1")
    with pytest.raises(SlackApiError) as info:
        await slack_web.views_open(trigger_id=trigger, view=BAD_VIEWS[name])
    # Slack answers views.* with invalid_arguments and details in response_metadata.
    assert info.value.response["error"] == "invalid_arguments"
    assert info.value.response["response_metadata"]["messages"]


async def test_home_view_may_not_have_submit(slack_web: AsyncWebClient) -> None:
    view = {"type": "home", "submit": TITLE, "blocks": [{"type": "divider"}]}
    with pytest.raises(SlackApiError) as info:
        await slack_web.views_publish(user_id="U1", view=view)
    assert info.value.response["error"] == "invalid_arguments"
