"""What Slack does to a slash command's text when the command has `should_escape: true`."""

from __future__ import annotations

import re
from collections.abc import Mapping

# A mention starts a word: `jane@example.com` is an email, not a mention of `example`.
_MENTION = re.compile(r"(?<![\w.+\-<|])@([A-Za-z0-9][\w.\-]*)")
_CHANNEL = re.compile(r"(?<![\w<|&])#([a-z0-9][a-z0-9_\-]*)", re.IGNORECASE)


def escape_command_text(
    text: str, *, people: Mapping[str, str], channels: Mapping[str, str]
) -> str:
    """`@Vera` → `<@U…|vera>` and `#ops` → `<#C…|ops>`, as Slack sends escaped commands.

    `people` maps lowercased names (handle, real name, first name) to user ids; `channels` maps
    lowercased channel names to ids. Unknown names stay as typed, as Slack leaves them.
    """

    def person(match: re.Match[str]) -> str:
        name = match.group(1).rstrip(".")
        user_id = people.get(name.lower())
        if user_id is None:
            return match.group(0)
        return f"<@{user_id}|{name.lower()}>" + match.group(1)[len(name) :]

    def channel(match: re.Match[str]) -> str:
        channel_id = channels.get(match.group(1).lower())
        if channel_id is None:
            return match.group(0)
        return f"<#{channel_id}|{match.group(1).lower()}>"

    return _CHANNEL.sub(channel, _MENTION.sub(person, text))


def split_command(text: str) -> tuple[str, str] | None:
    """(`/command`, rest) for text that starts with a slash command, else None."""
    match = re.match(r"^\s*(/[a-z0-9_\-]+)(?:\s+(.*))?$", text, re.IGNORECASE | re.DOTALL)
    if match is None:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()
