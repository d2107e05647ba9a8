"""The fake Slack's in-memory world: calls, messages, views, users, conversations, triggers,
response URLs, faults, and the clock everything that expires is measured on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock

JSON = dict[str, Any]
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "files:write",
    "im:write",
    "users:read",
    "users:read.email",
)


@dataclass
class Fault:
    """The next `count` calls of `method` fail with `kind`: "429", a 5xx status ("500", "502",
    "503", "504"), "timeout" (nothing happens, no answer) or "drop" (the call takes effect,
    then the connection is closed before the answer). `method` is a Web API method name,
    "response_url" for response URLs, or "*" for every one of them."""

    method: str
    kind: str
    count: int
    retry_after: int = 1
    seconds: float = 30.0


@dataclass
class Identity:
    """Who the accepted bot token belongs to (what auth.test answers)."""

    token: str
    team_id: str = "T_SANDBOX"
    team: str = "Sandbox"
    team_domain: str = "sandbox"
    bot_user_id: str = "U_BOT"
    bot_name: str = "connectbot"
    bot_id: str = "B_BOT"
    app_id: str = "A_SANDBOX"
    # The bot scopes the app was installed with (app.yaml's `oauth_config.scopes.bot`).
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @property
    def url(self) -> str:
        return f"https://{self.team_domain}.slack.com/"


@dataclass
class Conversation:
    """A conversation the fake was told about (strict), or a lenient stand-in for one it was not.

    `kind` is public, private, dm (two people, or the app and one person) or mpim. `members`
    are the people in it (the bot is counted by `bot_member`); None means everyone, which is
    how the fake treats ids nobody declared.
    """

    id: str
    kind: str
    members: frozenset[str] | None = None
    bot_member: bool = True
    archived: bool = False
    name: str = ""
    declared: bool = True

    def has_member(self, user_id: str) -> bool:
        return self.members is None or user_id in self.members

    def describe(self) -> JSON:
        members = None if self.members is None else sorted(self.members)
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "members": members,
            "bot_member": self.bot_member,
            "archived": self.archived,
        }


@dataclass
class Trigger:
    """A trigger_id Slack handed to the app with an interaction: when, for whom, from where."""

    issued_at: float
    user_id: str
    view_id: str | None = None
    exchanged: bool = False


@dataclass
class Hook:
    """A response URL Slack handed to the app: when it was issued and how often it was used."""

    issued_at: float
    uses: int = 0


@dataclass
class FileUpload:
    """A file the app announced with files.getUploadURLExternal: its name and promised length,
    the secret in its upload URL, the bytes once uploaded, and where it was shared."""

    id: str
    filename: str
    length: int
    upload_key: str
    issued_at: float
    content: bytes | None = None
    title: str = ""
    completed: bool = False
    channels: list[str] = field(default_factory=list)


@dataclass
class FakeState:
    identity: Identity
    clock: Clock = field(default_factory=Clock)
    calls: list[JSON] = field(default_factory=list)
    messages: dict[str, list[JSON]] = field(default_factory=dict)
    views: dict[str, JSON] = field(default_factory=dict)
    home_views: dict[str, str] = field(default_factory=dict)
    responses: dict[str, list[JSON]] = field(default_factory=dict)
    hooks: dict[str, Hook] = field(default_factory=dict)
    users: dict[str, JSON] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    missing_channels: set[str] = field(default_factory=set)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    # trigger_id → the view views.open/push created with it (the console finds whose modal)
    opened_views: dict[str, str] = field(default_factory=dict)
    # root view id → its stack of view ids, bottom first (views.push adds to it)
    view_stacks: dict[str, list[str]] = field(default_factory=dict)
    # what the signed sender could not deliver as Slack would have liked (timeouts, retries)
    deliveries: list[JSON] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # file id → the upload it names (files.getUploadURLExternal, the upload URL, and
    # files.completeUploadExternal; see `file_methods`)
    files: dict[str, FileUpload] = field(default_factory=dict)
    # where the fake is reached (learned from each API call: upload URLs and file links)
    base_url: str = "http://127.0.0.1/"
    outage_until: float = 0.0
    _last_us: int = 0
    _view_seq: int = 0
    _trigger_seq: int = 0
    _file_seq: int = 0

    def reset(self) -> None:
        """Forget everything but who the bot is and what time it is (time never goes back)."""
        fresh = FakeState(identity=self.identity, clock=self.clock)
        fresh._last_us = self._last_us
        fresh._view_seq = self._view_seq
        fresh._trigger_seq = self._trigger_seq
        fresh._file_seq = self._file_seq
        fresh.base_url = self.base_url
        self.__dict__.update(fresh.__dict__)

    def now(self) -> float:
        return self.clock.time()

    def next_ts(self) -> str:
        """A message timestamp, unique and strictly increasing, shaped like Slack's."""
        now_us = int(self.clock.time() * 1_000_000)
        self._last_us = max(now_us, self._last_us + 1)
        return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    def next_file_id(self) -> str:
        self._file_seq += 1
        return f"F{self._file_seq:010d}"

    def next_view_id(self) -> str:
        self._view_seq += 1
        return f"V{self._view_seq:08d}"

    def view_hash(self) -> str:
        ts = self.next_ts().replace(".", "")
        return f"{ts[:10]}.{ts[10:]}"

    def take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def in_outage(self) -> bool:
        return self.clock.time() < self.outage_until

    def find_message(self, channel: str, ts: str) -> JSON | None:
        for message in self.messages.get(channel, []):
            if message["ts"] == ts and not message.get("ephemeral_for"):
                return message
        return None

    def find_view(self, view_id: str | None, external_id: str | None) -> JSON | None:
        if view_id:
            return self.views.get(view_id)
        for view in self.views.values():
            if external_id and view.get("external_id") == external_id:
                return view
        return None


def with_block_ids(blocks: list[Any]) -> list[Any]:
    """Blocks as Slack stores them: any block without a block_id gets a generated one."""
    result = []
    for i, block in enumerate(blocks):
        if isinstance(block, dict) and not block.get("block_id"):
            digest = hashlib.sha256(f"{i}:{json.dumps(block, sort_keys=True)}".encode())
            block = {**block, "block_id": digest.hexdigest()[:5]}
        result.append(block)
    return result
