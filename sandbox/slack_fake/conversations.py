"""Which conversations exist, who is in them, and where the app may post.

Conversations declared through `POST /_fake/conversations` (or the console's seed) behave as
Slack's do. An id nobody declared keeps the fake's old, lenient meaning so that tests which
never thought about membership keep working: a `C…`/`G…` id is a channel the app is in with
everyone in it, a `D…` id a DM with everyone in it. `conversations.open` and posting to a user
id declare the app's own DM with that person, as Slack creates it then.
"""

from __future__ import annotations

import re
from typing import Any

from .state import Conversation, FakeState
from .users import USER_ID, user_object

CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9_]+$")
KINDS = ("public", "private", "dm", "mpim")
# The id prefixes the fake accepts per kind: channels C (older private channels G), DMs D,
# group DMs G (or C). This only checks what a test declares; Slack's rules are below.
PREFIXES = {"public": "C", "private": "CG", "dm": "D", "mpim": "CG"}


def find(state: FakeState, channel_id: str) -> Conversation | None:
    """The conversation `channel_id` names, or None when Slack would say channel_not_found."""
    declared = state.conversations.get(channel_id)
    if declared is not None:
        return declared
    if not CHANNEL_ID.match(channel_id) or channel_id in state.missing_channels:
        return None
    kind = {"C": "public", "G": "private", "D": "dm"}[channel_id[0]]
    return Conversation(id=channel_id, kind=kind, declared=False)


def app_dm(state: FakeState, user_id: str) -> Conversation | None:
    """The app's own DM with `user_id` (created on first use, as Slack does), or None when the
    user does not exist. Its id is `D` + the user id."""
    if not USER_ID.match(user_id) or user_object(state, user_id) is None:
        return None
    channel_id = f"D{user_id}"
    existing = state.conversations.get(channel_id)
    if existing is not None:
        return existing
    state.missing_channels.discard(channel_id)
    dm = Conversation(id=channel_id, kind="dm", members=frozenset({user_id}), bot_member=True)
    state.conversations[channel_id] = dm
    return dm


def visible_to_app(conv: Conversation) -> bool:
    """The app sees public channels and whatever it is a member of.

    A private channel, DM or group DM the bot is not in does not exist as far as its token is
    concerned: chat.postMessage and chat.postEphemeral answer `channel_not_found`, "Value
    passed for channel was invalid" (https://api.slack.com/methods/chat.postMessage#errors,
    https://api.slack.com/methods/chat.postEphemeral#errors).
    """
    return conv.kind == "public" or conv.bot_member


def post_error(state: FakeState, conv: Conversation | None) -> str | None:
    """The error chat.postMessage answers for posting into `conv`, or None when it may.

    Refuses an unknown or invisible conversation (`channel_not_found`), an archived one
    (`is_archived`, "Channel has been archived"), and a public channel the bot is not in
    unless the app has `chat:write.public` ("Send messages to channels @your_slack_app isn't a
    member of", https://api.slack.com/scopes/chat:write.public); without that scope Slack
    answers `not_in_channel` (https://api.slack.com/methods/chat.postMessage#errors).
    """
    if conv is None or not visible_to_app(conv):
        return "channel_not_found"
    if conv.archived:
        return "is_archived"
    if not conv.bot_member and "chat:write.public" not in state.identity.scopes:
        return "not_in_channel"
    return None


def ephemeral_error(state: FakeState, conv: Conversation | None, user_id: str) -> str | None:
    """The error chat.postEphemeral answers for showing `user_id` a message in `conv`.

    As chat.postMessage, plus `user_not_in_channel`, "Intended recipient is not in the
    specified channel": "The user should be in the channel specified by the channel argument"
    (https://api.slack.com/methods/chat.postEphemeral).
    """
    problem = post_error(state, conv)
    if problem is not None:
        return problem
    assert conv is not None
    if not user_id or user_object(state, user_id) is None or not conv.has_member(user_id):
        return "user_not_in_channel"
    return None


def update_error(conv: Conversation | None) -> str | None:
    """The error chat.update answers for editing a message in `conv`: `channel_not_found`
    when the app cannot see it, `is_inactive`, "The message cannot be edited within a frozen,
    archived or deleted channel" (https://api.slack.com/methods/chat.update#errors)."""
    if conv is None or not visible_to_app(conv):
        return "channel_not_found"
    if conv.archived:
        return "is_inactive"
    return None


def declare(state: FakeState, body: dict[str, Any]) -> Conversation:
    """Store one conversation from `POST /_fake/conversations`; ValueError says what is wrong.

    Shapes are Slack's: a DM between two people has exactly two members and no bot; the app's
    DM with a person has that one person and the bot; a group DM has at least three
    participants counting the bot when it is in it.
    """
    channel_id = str(body.get("id", ""))
    kind = str(body.get("kind", ""))
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not CHANNEL_ID.match(channel_id) or channel_id[0] not in PREFIXES[kind]:
        starts = " or ".join(PREFIXES[kind])
        raise ValueError(f"a {kind} conversation id starts with {starts}: {channel_id!r}")
    raw_members = body.get("members", [])
    if not isinstance(raw_members, list) or not all(isinstance(m, str) for m in raw_members):
        raise ValueError("members must be a list of user ids")
    members = frozenset(raw_members)
    bad = sorted(m for m in members if not USER_ID.match(m))
    if bad:
        raise ValueError(f"not user ids: {', '.join(bad)}")
    bot_member = bool(body.get("bot_member", kind != "dm"))
    if kind == "dm" and len(members) != (1 if bot_member else 2):
        raise ValueError("a DM is between two people, or between the app and one person")
    if kind == "mpim" and len(members) + int(bot_member) < 3:
        raise ValueError("a group DM has at least three participants")
    conv = Conversation(
        id=channel_id,
        kind=kind,
        members=members,
        bot_member=bot_member,
        archived=bool(body.get("archived", False)),
        name=str(body.get("name", "")),
    )
    state.conversations[channel_id] = conv
    state.missing_channels.discard(channel_id)
    return conv
