"""Option objects as Slack's reference allows them in each element."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

pytest_plugins = ["tests.sandbox.conftest_slack"]

PLAIN = {"type": "plain_text", "text": "Visa 4242"}
MRKDWN = {"type": "mrkdwn", "text": "*Visa* 4242"}


def option(text: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"text": text, "value": "pm_1", **extra}


def actions(kind: str, opt: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": [{"type": kind, "action_id": "a", "options": [opt]}]}]


REFUSED = {
    "mrkdwn in a static select": actions("static_select", option(MRKDWN)),
    "mrkdwn in a multi select": actions("multi_static_select", option(MRKDWN)),
    "mrkdwn in an overflow menu": actions("overflow", option(MRKDWN)),
    "mrkdwn description in a select": actions("static_select", option(PLAIN, description=MRKDWN)),
    "url in a select option": actions("static_select", option(PLAIN, url="https://x.test")),
    "value over 150": actions("radio_buttons", {"text": PLAIN, "value": "v" * 151}),
    "description over 75": actions(
        "checkboxes", option(PLAIN, description={"type": "plain_text", "text": "d" * 76})
    ),
}
ACCEPTED = {
    "mrkdwn radio buttons": actions("radio_buttons", option(MRKDWN, description=MRKDWN)),
    "mrkdwn checkboxes": actions("checkboxes", option(MRKDWN)),
    "url in an overflow option": actions("overflow", option(PLAIN, url="https://x.test")),
    "plain select": actions("static_select", option(PLAIN, description=PLAIN)),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_options_slack_refuses(slack_web: AsyncWebClient, name: str) -> None:
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_postMessage(channel="C1", text="pick", blocks=REFUSED[name])
    assert info.value.response["error"] == "invalid_blocks"
    assert all("/elements/0/options/0" in e for e in info.value.response["errors"])


@pytest.mark.parametrize("name", sorted(ACCEPTED))
async def test_options_slack_accepts(slack_web: AsyncWebClient, name: str) -> None:
    assert (await slack_web.chat_postMessage(channel="C1", text="pick", blocks=ACCEPTED[name]))[
        "ok"
    ]
