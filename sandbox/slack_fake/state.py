"""The fake Slack's in-memory world: calls, messages, views, users, response URLs, faults."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class Fault:
    """The next `count` calls of `method` fail with `kind` ("429", "500" or "timeout")."""

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

    @property
    def url(self) -> str:
        return f"https://{self.team_domain}.slack.com/"


@dataclass
class FakeState:
    identity: Identity
    calls: list[JSON] = field(default_factory=list)
    messages: dict[str, list[JSON]] = field(default_factory=dict)
    views: dict[str, JSON] = field(default_factory=dict)
    home_views: dict[str, str] = field(default_factory=dict)
    responses: dict[str, list[JSON]] = field(default_factory=dict)
    users: dict[str, JSON] = field(default_factory=dict)
    missing_channels: set[str] = field(default_factory=set)
    used_triggers: set[str] = field(default_factory=set)
    # trigger_id → the view views.open created with it (the console finds whose modal it is)
    opened_views: dict[str, str] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    outage_until: float = 0.0
    _last_us: int = 0
    _view_seq: int = 0

    def reset(self) -> None:
        fresh = FakeState(identity=self.identity)
        fresh._last_us = self._last_us
        fresh._view_seq = self._view_seq
        self.__dict__.update(fresh.__dict__)

    def next_ts(self) -> str:
        """A message timestamp, unique and strictly increasing, shaped like Slack's."""
        now_us = int(time.time() * 1_000_000)
        self._last_us = max(now_us, self._last_us + 1)
        return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

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
        return time.time() < self.outage_until

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
