"""`SlackReply`: what a Slack app answered to a request the sender made."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SlackReply:
    """What the app answered: HTTP status, body text, and the response key (if any)."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    response_key: str | None = None
    trigger_id: str | None = None

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except json.JSONDecodeError:
            return None
