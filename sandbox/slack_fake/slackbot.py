"""Slackbot's own private notes: what Slack itself tells a person when an app lets them down."""

from __future__ import annotations

from .state import FakeState

SLACKBOT = "USLACKBOT"


def command_failed(fake: FakeState, channel: str, user: str, command: str, error: str) -> None:
    """`/cmd failed with the error "<error>"`, shown only to `user` in `channel`, as Slack shows
    it when an app does not answer a command properly (e.g. integrations/slack#352)."""
    fake.messages.setdefault(channel, []).append(
        {
            "type": "message",
            "ts": fake.next_ts(),
            "channel": channel,
            "user": SLACKBOT,
            "text": f'{command} failed with the error "{error}"',
            "ephemeral_for": user,
        }
    )
