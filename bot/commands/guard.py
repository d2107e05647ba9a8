"""The opening every operator command shares: `help`, the role check, parsing the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck

from bot.commands.catalog import CommandSpec
from bot.config import Settings
from bot.money import Refusal
from bot.permissions import is_operator, not_operator

T = TypeVar("T")


async def operator_request(
    ack: AsyncAck,
    command: dict[str, Any],
    *,
    spec: CommandSpec,
    settings: Settings,
    parse: Callable[[str], T | Refusal],
) -> T | None:
    """The parsed arguments, or None after answering the caller privately.

    Refuses non-operators first, saying what they cannot do (even for `help`: nobody is shown
    the usage of a command they cannot run); answers `help` with the usage; refuses malformed
    text with what was wrong plus the usage. When it returns arguments it has not acked: the
    caller does.
    """
    text = (command.get("text") or "").strip()
    if not is_operator(settings, str(command["user_id"])):
        await ack(not_operator(spec.action))
        return None
    if text.lower() == "help":
        await ack(spec.help_text("operator"))
        return None
    args = parse(text)
    if isinstance(args, Refusal):
        await ack(f"{args.message}\n\n{spec.help_text('operator')}")
        return None
    return args
