"""Slash-command listeners. Each command module exposes `register(app, services)`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands.catalog import COMMANDS, CommandSpec
from bot.services import Services

# Commands whose module has landed register themselves here; the rest answer with their usage
# and say they are not available yet, so a declared command never fails silently.
IMPLEMENTED: dict[str, Any] = {}


def register(app: AsyncApp, services: Services) -> None:
    for spec in COMMANDS:
        module = IMPLEMENTED.get(spec.name)
        if module is not None:
            module.register(app, services)
        else:
            app.command(spec.name)(_not_yet(spec))


def _not_yet(spec: CommandSpec) -> Any:
    async def answer(ack: AsyncAck, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        if text.lower() == "help":
            await ack(spec.help_text())
        else:
            await ack(f"{spec.name} is not available in this version yet.\n\n{spec.help_text()}")

    return answer
