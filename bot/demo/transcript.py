"""Slack messages as terminal text (pure): what a person would read in Slack, line by line.

Block Kit becomes plain lines: sections and their fields, context in a dimmer `·` line,
buttons as `[Button]`, dividers as a rule, images by their alt text. Slack's markup for
mentions, channels and links becomes what Slack shows (`@Vera Vendor`, `#ops`, the link's
label and address).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_ANGLE = re.compile(r"<([^<>]+)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Seen:
    """One message as one person (or everyone in a channel) sees it."""

    audience: str  # "Vera Vendor · DM from connectbot", "#ops", …
    lines: tuple[str, ...]


def mrkdwn(text: str, names: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """Slack's `<…>` markup as Slack displays it; unknown users and channels show their id."""

    def angle(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + names.get(target[1:], label or target[1:])
        if target.startswith("#"):
            return "#" + channels.get(target[1:], label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if label and label != target:
            return f"{label} ({target})"
        return target

    shown = _ANGLE.sub(angle, text)
    for entity, char in _ENTITIES:
        shown = shown.replace(entity, char)
    return shown


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


def _element(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    label = _text(element.get("placeholder")) or str(kind)
    return f"[{label} ▾]"


def render_blocks(
    blocks: Sequence[Mapping[str, Any]], names: Mapping[str, str], channels: Mapping[str, str]
) -> list[str]:
    """Each block as one or more lines of text."""
    lines: list[str] = []

    def say(text: str, prefix: str = "") -> None:
        for line in mrkdwn(text, names, channels).splitlines() or [""]:
            lines.append(prefix + line)

    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            if block.get("text"):
                say(_text(block["text"]))
            for field in block.get("fields") or []:
                say(" ".join(_text(field).split("\n")), "  ")
            accessory = block.get("accessory")
            if isinstance(accessory, dict):
                lines.append("  " + _element(accessory))
        elif kind == "context":
            parts = [
                _text(e) if e.get("type") != "image" else _element(e)
                for e in block.get("elements") or []
            ]
            say(" · ".join(p for p in parts if p), "  · ")
        elif kind == "actions":
            lines.append(" ".join(_element(e) for e in block.get("elements") or []))
        elif kind == "divider":
            lines.append("────────")
        elif kind == "image":
            lines.append(_element(block))
        elif kind == "input":
            say(f"{_text(block.get('label'))}: {_initial(block.get('element') or {})}")
        elif kind == "rich_text":
            say(_rich_text(block))
    return lines


def _initial(element: Mapping[str, Any]) -> str:
    option = element.get("initial_option")
    if isinstance(option, dict):
        return f"[{_text(option.get('text'))} ▾]"
    value = element.get("initial_value")
    return f"[{value}]" if value else "[ ]"


def _rich_text(block: Mapping[str, Any]) -> str:
    words: list[str] = []
    for section in block.get("elements") or []:
        for element in section.get("elements") or []:
            words.append(str(element.get("text") or element.get("url") or ""))
    return "".join(words)


def render_message(
    message: Mapping[str, Any], names: Mapping[str, str], channels: Mapping[str, str]
) -> list[str]:
    """A stored Slack message's lines: its blocks when it has any, else its text."""
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        return render_blocks(blocks, names, channels)
    lines = mrkdwn(str(message.get("text") or ""), names, channels).splitlines() or [""]
    files = message.get("files")
    # A shared file shows under its comment as Slack shows it: its name and size.
    return lines + [f"[file] {f.get('name')} · {f.get('size')} bytes" for f in files or []]


def render_seen(seen: Sequence[Seen], indent: str = "  ", *, ansi: bool = False) -> list[str]:
    """Messages grouped by audience, in the order each audience first got one, with Slack's
    markup rendered for a terminal (see :func:`for_terminal`)."""
    order: list[str] = []
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for item in seen:
        if item.audience not in grouped:
            order.append(item.audience)
            grouped[item.audience] = []
        grouped[item.audience].append(item.lines)
    out: list[str] = []
    for audience in order:
        out.append(f"{indent}{audience}:")
        for lines in grouped[audience]:
            first, *rest = lines or ("",)
            out.append(f"{indent}  > {for_terminal(first, ansi=ansi)}")
            out.extend(f"{indent}    {for_terminal(line, ansi=ansi)}" for line in rest)
    return out


#: The emoji connectbot's messages use, as a terminal shows them; any other name becomes its
#: words ("money with wings"), never ":money_with_wings:".
EMOJI = {
    "bank": "🏦",
    "credit_card": "💳",
    "electric_plug": "🔌",
    "handshake": "🤝",
    "hourglass": "⌛",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "leftwards_arrow_with_hook": "↩️",
    "link": "🔗",
    "lock": "🔒",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "raised_hand": "✋",
    "red_circle": "🔴",
    "rotating_light": "🚨",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "white_circle": "⚪",
    "x": "❌",
}
_EMOJI_NAME = re.compile(r"(?<![\w:]):([a-z][a-z0-9_+-]*):(?![\w:])")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
ANSI_BOLD, ANSI_RESET = "\x1b[1m", "\x1b[0m"


def for_terminal(line: str, *, ansi: bool = False) -> str:
    """A line of Slack mrkdwn as a terminal shows it: `*bold*` in bold (ANSI when `ansi`, else
    plain), `_italic_` and `~strike~` plain, no backticks, `:emoji:` as the emoji or its words.
    """
    line = line.replace("```", "").replace("`", "")
    bold = (ANSI_BOLD + r"\1" + ANSI_RESET) if ansi else r"\1"
    line = _BOLD.sub(bold, line)
    line = _STRIKE.sub(r"\1", _ITALIC.sub(r"\1", line))

    def emoji(match: re.Match[str]) -> str:
        name = match.group(1)
        return EMOJI.get(name) or name.replace("_", " ")

    return _EMOJI_NAME.sub(emoji, line)
