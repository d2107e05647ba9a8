"""`SlackReply`: what a Slack app answered to a request the sender made."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SlackReply:
    """What the app answered: HTTP status, body text, and the response key (if any).

    An answer that did not come within Slack's 3 seconds has status 0, an empty body (Slack
    throws a late answer away) and `error` set to what Slack tells the person or the app:
    `operation_timeout` for commands and interactions, `http_timeout` for events. `attempts`
    counts deliveries of an event, retries included.
    """

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    response_key: str | None = None
    trigger_id: str | None = None
    error: str | None = None
    attempts: int = 1

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except json.JSONDecodeError:
            return None
