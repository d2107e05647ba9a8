"""The browser console: a simplified Slack client over the fake Slack's recorded state."""

from __future__ import annotations

from .routes import CONSOLE_KEY, add_console_routes
from .workspace import ConsoleState, Person, add_person

__all__ = ["CONSOLE_KEY", "ConsoleState", "Person", "add_console_routes", "add_person"]
