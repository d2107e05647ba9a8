"""The shape of `/notify [list]`, `/notify add <event type> [#channel]`, `/notify remove …`.

An event type is one Stripe sends (`known`, read from stripe-python by the caller) or a group of
them written `prefix.*` (`payout.*`: every `payout.…` type, `charge.dispute.*`: every dispute
type); the group must cover at least one type. `*` alone (every event Stripe sends, hundreds
of types) is refused. Types are compared lowercased, without the backticks people copy from
Stripe's documentation.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

from bot.parsing.tokens import parse_channel_mention, quote, split_args
from bot.refusal import Refusal

#: Longest event type or group accepted (connectbot stores event types in 100 characters).
MAX_EVENT_TYPE: Final = 100
#: Stripe's list of event types, for a refusal that cannot suggest one.
TYPES_PAGE: Final = "https://docs.stripe.com/api/events/types"
_REMOVE_WORDS: Final = frozenset({"remove", "rm", "delete"})


@dataclass(frozen=True, slots=True)
class NotifyList:
    """`/notify` or `/notify list`."""


@dataclass(frozen=True, slots=True)
class NotifyChange:
    """`/notify add|remove <event type> [#channel]`: `event_type` is a Stripe event type or a
    group (`payout.*`); `channel_id` None means no channel was named."""

    action: Literal["add", "remove"]
    event_type: str
    channel_id: str | None


NotifyArgs = NotifyList | NotifyChange


def groups_of(event_type: str) -> tuple[str, ...]:
    """The groups an event type belongs to, narrowest first: `charge.dispute.created` →
    (`charge.dispute.*`, `charge.*`). A type without a dot belongs to none."""
    parts = event_type.split(".")
    return tuple(".".join(parts[:end]) + ".*" for end in range(len(parts) - 1, 0, -1))


def covered_by(pattern: str, known: Collection[str]) -> frozenset[str]:
    """The types of `known` that `pattern` (a type or a group) names."""
    if pattern.endswith(".*"):
        prefix = pattern[:-1]
        return frozenset(t for t in known if t.startswith(prefix))
    return frozenset({pattern}) & frozenset(known)


def parse_event_type(word: str, known: Collection[str]) -> str | Refusal:
    """A Stripe event type of `known`, or a group `prefix.*` covering at least one, lowercased.

    Refuses an empty word, `*` alone, an over-long word, and anything else that names no
    known type, suggesting the closest types or groups when some are close.
    """
    event_type = word.strip().strip("`").strip().lower()
    if not event_type:
        return Refusal("Name a Stripe event type, for example `customer.created`.")
    if len(event_type) > MAX_EVENT_TYPE:
        return Refusal(f"{quote(event_type)} is longer than any Stripe event type.")
    if event_type == "*":
        return Refusal(
            "`*` would announce every event Stripe sends (hundreds of types); name a type, "
            "or a group such as `payout.*`."
        )
    if event_type in known or (event_type.endswith(".*") and covered_by(event_type, known)):
        return event_type
    return Refusal(_unknown(event_type, known))


def _unknown(event_type: str, known: Collection[str]) -> str:
    groups = {group for t in known for group in groups_of(t)}
    candidates = sorted(groups if event_type.endswith(".*") else set(known) | groups)
    close = difflib.get_close_matches(event_type, candidates, n=3, cutoff=0.75)
    said = f"Stripe has no event type {quote(event_type)}."
    if close:
        shown = [f"`{c}`" for c in close]
        either = ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else shown[0]
        return f"{said} Did you mean {either}?"
    return f"{said} Stripe's event types are listed at {TYPES_PAGE}."


def parse_notify_command(text: str, *, known: Collection[str]) -> NotifyArgs | Refusal:
    """Parse `[list]`, `add <event type> [#channel]` or `remove <event type> [#channel]`.

    Refuses an unknown subcommand (hinting at `add` when it was an event type), a missing or
    unknown event type (see `parse_event_type`), a target that is not a channel link, and
    anything after the channel.
    """
    tokens = split_args(text)
    sub = tokens[0].lower() if tokens else "list"
    if sub == "list":
        if len(tokens) > 1:
            return Refusal(f"Unexpected {quote(' '.join(tokens[1:]))} after `list`.")
        return NotifyList()
    if sub != "add" and sub not in _REMOVE_WORDS:
        if "." in sub:
            return Refusal(f"Say what to do with it: {quote('/notify add ' + sub)}.")
        return Refusal(f"I don't know {quote('/notify ' + sub)}.")
    action: Literal["add", "remove"] = "add" if sub == "add" else "remove"
    if len(tokens) < 2:
        return Refusal(f"Name the event type to {action}, for example `customer.created`.")
    if len(tokens) > 3:
        return Refusal(f"Unexpected {quote(' '.join(tokens[3:]))} after the channel.")
    event_type = parse_event_type(tokens[1], known)
    if isinstance(event_type, Refusal):
        return event_type
    channel = parse_channel_mention(tokens[2]) if len(tokens) == 3 else None
    if isinstance(channel, Refusal):
        return channel
    return NotifyChange(action, event_type, channel)
