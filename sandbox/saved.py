"""One file beside a sandbox's database holding its fake Stripe and fake Slack, and its ports.

The file is written atomically (a temporary file renamed over it), so a crash leaves the
previous copy whole; it is written when the state changed, every few seconds, and on stop.
The ports are kept so links already posted (Checkout pages, onboarding links, the console)
still answer after a restart when the ports are free.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .slack_fake import persistence as slack_persistence
from .slack_fake.state import FakeState
from .stripe_fake import persistence as stripe_persistence
from .stripe_fake.store import State

FORMAT = 1
SAVE_EVERY_SECONDS = 2.0


class UnreadableSave(Exception):
    """The file exists but is not a sandbox save this version can read."""


@dataclass
class SandboxSave:
    """The save file at `path`: read it, attach the running fakes, keep it up to date."""

    path: Path
    ports: dict[str, int] = field(default_factory=dict)
    _data: dict[str, Any] | None = None
    _stripe: State | None = None
    _slack: FakeState | None = None
    _written: str = ""

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> None:
        """Read the file and its `ports`; UnreadableSave when it cannot be read."""
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("unknown format")
            self.ports = {str(k): int(v) for k, v in data.get("ports", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise UnreadableSave(f"{self.path} cannot be read ({exc})") from None
        self._data = data

    def attach(self, stripe: State, slack: FakeState) -> None:
        """Fill the fakes from what was read (if anything) and save them from now on;
        UnreadableSave when the file's contents do not fit."""
        self._stripe, self._slack = stripe, slack
        if self._data is None:
            return
        try:
            stripe_persistence.load(stripe, self._data["stripe"])
            slack_persistence.load(slack, self._data["slack"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UnreadableSave(f"{self.path} cannot be read ({exc!r})") from None

    def save(self) -> bool:
        """Write the file when anything changed since the last write; True when written.
        Refuses (RuntimeError) before `attach`."""
        if self._stripe is None or self._slack is None:
            raise RuntimeError("attach the fakes before saving them")
        text = json.dumps(
            {
                "format": FORMAT,
                "ports": self.ports,
                "stripe": stripe_persistence.dump(self._stripe),
                "slack": slack_persistence.dump(self._slack),
            },
            separators=(",", ":"),
        )
        if text == self._written:
            return False
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path)
        self._written = text
        return True

    @contextlib.asynccontextmanager
    async def kept(self) -> AsyncIterator[None]:
        """Save every few seconds while inside, and once more on the way out."""
        task = asyncio.create_task(self._save_forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.save()

    async def _save_forever(self) -> None:
        while True:
            await asyncio.sleep(SAVE_EVERY_SECONDS)
            self.save()


def open_beside(database: Path | None, say: Callable[[str], None]) -> SandboxSave | None:
    """The save beside a SQLite `database` file (None for any other database), read when the
    database exists.

    A database without a readable save refers to Stripe objects the fakes no longer have: it
    is moved aside (never deleted) so the sandbox starts fresh and consistent, said to `say`.
    """
    if database is None:
        return None
    save = SandboxSave(database.with_name(database.stem + ".sandbox.json"))
    if not database.exists():
        return save
    try:
        save.read()
        return save
    except UnreadableSave as exc:
        problem = str(exc) if save.exists() else f"{save.path} is missing"
    aside = database.with_name(database.name + ".old")
    database.replace(aside)
    say(f"{problem}, so {database} does not match the fakes; moved it to {aside}, starting fresh")
    return save
