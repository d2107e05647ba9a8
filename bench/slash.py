"""Slash commands as load: signed `/charge` forms sent to connectbot and to the Bolt floor.

Trigger ids and response URLs are issued in-process by the fake Slack just before each request
(not over HTTP, and never older than Slack's 3 seconds when connectbot opens its modal), so a
request's clock covers only the signed POST and its answer.
"""

from __future__ import annotations

import secrets
from typing import Any

from bench.load import Side
from sandbox.slack_fake.api import STATE_KEY
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.responses import issue_hook
from sandbox.slack_fake.triggers import issue
from tests.e2e.scenario import connected_vendor, customer_with_card
from tests.harness import OPERATOR, SIGNING_SECRET, Connectbot

VENDOR = "U0BENCHVENDOR"
EMAIL = "bench.customer@example.com"
CHARGE_TEXT = f"<@{VENDOR}> 100.00 {EMAIL}"


async def charge_ready(cb: Connectbot) -> None:
    """The connected vendor and the customer with a card that `/charge CHARGE_TEXT` looks up."""
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, EMAIL)


def command_form(
    cb: Connectbot, sender: SlackSender, command: str, text: str, *, user: str
) -> dict[str, str]:
    """The form fields Slack posts for `command text` typed by `user` in #general."""
    state = cb.slack.app[STATE_KEY]
    key = secrets.token_hex(16)
    issue_hook(state, key)
    ws = sender.workspace
    return {
        "token": ws.verification_token,
        "team_id": ws.team_id,
        "team_domain": ws.team_domain,
        "channel_id": "C_GENERAL",
        "channel_name": "general",
        "user_id": user,
        "user_name": f"user_{user.lower()}",
        "command": command,
        "text": text,
        "api_app_id": ws.api_app_id,
        "is_enterprise_install": "false",
        "response_url": sender.response_url(key, channel_id="C_GENERAL", user_id=user),
        "trigger_id": issue(state, user),
    }


def charge_side(cb: Connectbot, events_url: str) -> Side:
    """An operator's `/charge CHARGE_TEXT` at `events_url`; answered means 200 with an empty
    ack (the modal path: a refusal's text would mean the lookup never reached the vendor)."""
    sender = SlackSender(events_url, SIGNING_SECRET, fake_url=cb.slack.url, session=cb.http)

    async def prepare(n: int) -> list[Any]:
        return [None] * n  # issued at send time: a trigger lives 3 seconds

    async def send(_: Any) -> bool:
        fields = command_form(cb, sender, "/charge", CHARGE_TEXT, user=OPERATOR)
        reply = await sender.send_form(fields)
        return reply.status == 200 and not reply.body

    return Side(prepare, send)
