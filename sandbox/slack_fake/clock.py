"""The fake Slack's notion of time: real time plus an offset that tests advance."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Clock:
    """Real time plus `offset`, moved forward by `POST /_fake/clock {"advance": seconds}`.

    Everything Slack lets expire (trigger ids after 3 seconds, response URLs after 30 minutes)
    and every message timestamp is read from this clock, so a test ages them instead of
    waiting. Request signatures the sender makes use real time: the app checks them against
    its own clock, as with real Slack.
    """

    offset: float = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move forward; refuses (ValueError) to move backwards."""
        if seconds < 0:
            raise ValueError("the fake clock only moves forward")
        self.offset += seconds
