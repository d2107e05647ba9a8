"""The console's view of the fake Slack: people, channels, who sees what, whose modal is open.

Everything here is derived from the fake's recorded state (messages, views, users); the console
adds only what Slack's client knows and the Web API does not: channel names, people's titles,
and which person's action produced which trigger (so a modal opens for the right person).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .. import conversations
from ..state import JSON, FakeState
from ..users import user_object

# What the seeded console adds beside the app's channels, so the sandbox shows what Slack
# refuses: a private channel the app was never invited to, where the admin and the vendors
# talk, and a DM between the admin and the first vendor. Both are declared to the fake, so
# chat.postEphemeral there answers channel_not_found as Slack would.
LOUNGE_ID, LOUNGE_NAME = "C0LOUNGE", "vendor-lounge"


@dataclass
class Person:
    id: str
    name: str
    real_name: str
    title: str = ""


@dataclass
class ConsoleState:
    """What the console remembers beside the fake's state."""

    people: list[Person] = field(default_factory=list)
    channels: dict[str, str] = field(default_factory=dict)  # id → name
    trigger_owners: dict[str, str] = field(default_factory=dict)  # trigger_id → user
    modals: dict[str, list[str]] = field(default_factory=dict)  # user → stack of view ids

    def name_index(self) -> dict[str, str]:
        """Lowercased handle, real name and first name → user id (for `@Name`)."""
        index: dict[str, str] = {}
        for person in self.people:
            for name in (person.real_name.split(" ")[0], person.real_name, person.name):
                index.setdefault(name.lower(), person.id)
        return index

    def channel_index(self) -> dict[str, str]:
        return {name.lower(): channel_id for channel_id, name in self.channels.items()}

    def adopt_opened_modals(self, fake: FakeState) -> None:
        """Push each view opened with a trigger we sent onto its person's modal stack."""
        for trigger, view_id in list(fake.opened_views.items()):
            owner = self.trigger_owners.pop(trigger, None)
            if owner is not None:
                self.modals.setdefault(owner, []).append(view_id)

    def open_modal(self, fake: FakeState, user: str) -> JSON | None:
        stack = self.modals.get(user, [])
        while stack and stack[-1] not in fake.views:
            stack.pop()
        return fake.views[stack[-1]] if stack else None

    def close_modal(self, user: str, *, clear: bool = False) -> None:
        stack = self.modals.get(user, [])
        if clear:
            stack.clear()
        elif stack:
            stack.pop()


def add_person(
    console: ConsoleState, fake: FakeState, user_id: str, name: str, real_name: str, **extra: Any
) -> Person:
    """A person the console can act as, also known to the fake's users.info."""
    title = str(extra.pop("title", ""))
    fake.users.setdefault(user_id, {}).update({"name": name, "real_name": real_name, **extra})
    person = Person(id=user_id, name=name, real_name=real_name, title=title)
    console.people = [p for p in console.people if p.id != user_id] + [person]
    return person


def person_dm_id(first: str, second: str) -> str:
    """The id of the DM between two people: D and a digest of the pair (never `D` + a user id,
    which the fake keeps for the app's own DMs)."""
    pair = ",".join(sorted((first, second)))
    return "D" + hashlib.sha256(pair.encode()).hexdigest()[:10].upper()


def seed_conversations(console: ConsoleState, fake: FakeState) -> None:
    """Declare the private channel and the DM between two people, once there are people with
    the titles `admin` and `vendor` to put in them (the sandbox's seeded workspace)."""
    admins = [p.id for p in console.people if p.title == "admin"]
    vendors = [p.id for p in console.people if p.title == "vendor"]
    if not admins or not vendors:
        return
    conversations.declare(
        fake,
        {
            "id": LOUNGE_ID,
            "kind": "private",
            "name": LOUNGE_NAME,
            "members": [admins[0], *vendors],
            "bot_member": False,
        },
    )
    console.channels[LOUNGE_ID] = LOUNGE_NAME
    pair = [admins[0], vendors[0]]
    dm = {"id": person_dm_id(*pair), "kind": "dm", "members": pair, "bot_member": False}
    conversations.declare(fake, dm)


def command_channel_name(console: ConsoleState, fake: FakeState, channel: str) -> str:
    """What Slack puts in a slash command's `channel_name`: the channel's name, `privategroup`
    for a private channel and `directmessage` for a DM (as real payloads carry them, e.g.
    `channel_id=G01LAS5F405&channel_name=privategroup`)."""
    conv = fake.conversations.get(channel)
    if conv is not None and conv.kind == "private":
        return "privategroup"
    if channel[:1] == "D":
        return "directmessage"
    return console.channels.get(channel, channel)


def _sees(fake: FakeState, channel_id: str, user: str) -> bool:
    conv = fake.conversations.get(channel_id)
    return conv is None or conv.kind == "public" or conv.has_member(user)


def _display_name(fake: FakeState, user_id: str) -> str:
    user = user_object(fake, user_id)
    return str(user["real_name"]) if user else user_id


def _visible(message: JSON, user: str) -> bool:
    owner = message.get("ephemeral_for")
    return owner is None or owner == user


def _channel_kind(fake: FakeState, channel_id: str) -> str:
    conv = fake.conversations.get(channel_id)
    if conv is not None and conv.kind == "private":
        return "private"
    return {"D": "dm", "G": "group"}.get(channel_id[:1], "channel")


def _person_dms(fake: FakeState, user: str) -> list[JSON]:
    """The DMs between `user` and another person (the app is in none of them)."""
    found = []
    for conv in fake.conversations.values():
        if conv.kind == "dm" and not conv.bot_member and conv.has_member(user):
            other = next(iter((conv.members or frozenset()) - {user}), user)
            found.append({"id": conv.id, "name": _display_name(fake, other), "kind": "dm"})
    return sorted(found, key=lambda entry: entry["name"])


def snapshot(console: ConsoleState, fake: FakeState, user: str) -> JSON:
    """Everything the console page shows `user`: sidebar, messages, open modal, App Home.

    A person sees public channels, the private channels and DMs they are in, and their DM
    with the app; never someone else's private conversation.
    """
    console.adopt_opened_modals(fake)
    ident = fake.identity
    channel_ids = list(console.channels)
    channel_ids += sorted(c for c in fake.messages if c[0] in "CG" and c not in console.channels)
    sidebar = [
        {"id": c, "name": console.channels.get(c, c.lower()), "kind": _channel_kind(fake, c)}
        for c in channel_ids
        if _sees(fake, c, user)
    ]
    sidebar += _person_dms(fake, user)
    sidebar.append({"id": f"D{user}", "name": ident.bot_name, "kind": "app"})
    messages = {
        entry["id"]: [
            {**m, "ephemeral": bool(m.get("ephemeral_for"))}
            for m in fake.messages.get(entry["id"], [])
            if _visible(m, user)
        ]
        for entry in sidebar
    }
    mentioned = {m.get("user") for ms in messages.values() for m in ms} - {None}
    names = {u: _display_name(fake, str(u)) for u in mentioned}
    names.update({p.id: p.real_name for p in console.people})
    names["USLACKBOT"] = "Slackbot"
    home_id = fake.home_views.get(user)
    return {
        "team": ident.team,
        "bot": {"id": ident.bot_user_id, "name": ident.bot_name},
        "people": [vars(p) for p in console.people],
        "names": names,
        "channels": sidebar,
        "messages": messages,
        "modal": console.open_modal(fake, user),
        "home": fake.views.get(home_id) if home_id else None,
    }


def visible_message(fake: FakeState, channel: str, ts: str, user: str) -> JSON | None:
    """The message at `ts` in `channel` as `user` sees it (someone else's ephemeral: None)."""
    for stored in fake.messages.get(channel, []):
        if stored["ts"] == ts and stored.get("ephemeral_for") in (None, user):
            return dict(stored)
    return None
