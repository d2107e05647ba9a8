"""The fake Slack's world as JSON, so a sandbox's workspace lasts as long as its database.

Slack keeps a workspace's messages, views, people and conversations; :func:`dump` and
:func:`load` carry those, the response URLs handed out (they expire on the fake's clock, whose
offset is kept too) and the counters that keep timestamps and view ids unique. What a running
process owns is not kept: the call log, faults, outages, delivery notes and trigger ids (they
live 3 seconds, far less than a restart).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .state import Conversation, FakeState, Hook

FORMAT = 1


def dump(fake: FakeState) -> dict[str, Any]:
    """Everything :func:`load` restores, as JSON-ready values."""
    return {
        "format": FORMAT,
        "clock_offset": fake.clock.offset,
        "messages": fake.messages,
        "views": fake.views,
        "home_views": fake.home_views,
        "responses": fake.responses,
        "hooks": {key: asdict(hook) for key, hook in fake.hooks.items()},
        "users": fake.users,
        "conversations": [
            {**asdict(c), "members": None if c.members is None else sorted(c.members)}
            for c in fake.conversations.values()
        ],
        "missing_channels": sorted(fake.missing_channels),
        "opened_views": fake.opened_views,
        "view_stacks": fake.view_stacks,
        "counters": [fake._last_us, fake._view_seq, fake._trigger_seq],
    }


def load(fake: FakeState, data: dict[str, Any]) -> None:
    """Replace ``fake``'s world with ``data`` from :func:`dump`; the bot's identity stays.

    Refuses (ValueError) data of another format, so a file from another version is never half
    read. Time never goes back: the clock keeps the larger offset.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a fake Slack state this version can read")
    fake.clock.offset = max(fake.clock.offset, float(data["clock_offset"]))
    fake.messages = data["messages"]
    fake.views = data["views"]
    fake.home_views = data["home_views"]
    fake.responses = data["responses"]
    fake.hooks = {key: Hook(**hook) for key, hook in data["hooks"].items()}
    fake.users = data["users"]
    fake.conversations = {}
    for entry in data["conversations"]:
        members = entry["members"]
        conversation = Conversation(
            **{**entry, "members": None if members is None else frozenset(members)}
        )
        fake.conversations[conversation.id] = conversation
    fake.missing_channels = set(data["missing_channels"])
    fake.opened_views = data["opened_views"]
    fake.view_stacks = data["view_stacks"]
    last_us, view_seq, trigger_seq = data["counters"]
    fake._last_us = max(fake._last_us, last_us)
    fake._view_seq = max(fake._view_seq, view_seq)
    fake._trigger_seq = max(fake._trigger_seq, trigger_seq)
