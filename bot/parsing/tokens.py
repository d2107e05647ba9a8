"""Tokens of command text: Slack's escaped mentions, channels, emails, quoted words."""

from __future__ import annotations

import re
from typing import Final

from bot.refusal import Refusal

#: Longest description a charge may carry (connectbot's limit; Stripe's is larger).
MAX_DESCRIPTION: Final = 500
#: Longest customer name accepted by /add-customer.
MAX_NAME: Final = 200
#: Longest email address (RFC 5321 path limit).
MAX_EMAIL: Final = 254

_USER_RE: Final = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")
_CHANNEL_RE: Final = re.compile(r"<#([CG][A-Z0-9]{2,})(?:\|[^<>]*)?>")
_MAILTO_RE: Final = re.compile(r"<mailto:([^|<>]*)(?:\|[^<>]*)?>", re.IGNORECASE)
_OPEN_QUOTES: Final = {'"': '"', "“": "”", "„": "“", "”": "”"}


def quote(text: str) -> str:
    """Quote user text for a message without letting it break Slack formatting."""
    shown = text.strip().replace("`", "'")
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"`{shown}`"


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in free text (`&amp;` last)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_args(text: str) -> list[str]:
    """Split command text on whitespace, keeping Slack tokens and quoted text together.

    `<@U1|Jane Doe>` stays one token even with spaces inside; a token starting with a double
    quote (straight or curly, as Slack clients often send) runs to the matching quote and is
    returned without its quotes. An unclosed quote runs to the end of the text; an unclosed
    `<` is an ordinary character. Never raises.
    """
    args: list[str] = []
    i, length = 0, len(text)
    while i < length:
        if text[i].isspace():
            i += 1
            continue
        if text[i] in _OPEN_QUOTES:
            close = text.find(_OPEN_QUOTES[text[i]], i + 1)
            if close == -1 and text[i] == "“":
                close = text.find('"', i + 1)
            end = length if close == -1 else close
            args.append(text[i + 1 : end])
            i = end + 1
            continue
        start = i
        while i < length and not text[i].isspace():
            if text[i] == "<":
                close = text.find(">", i + 1)
                if close != -1:
                    i = close + 1
                    continue
            i += 1
        args.append(text[start:i])
    return args


def parse_user_mention(token: str) -> str | Refusal:
    """The user id in Slack's escaped mention `<@U123ABC|name>` or `<@U123ABC>`.

    Refuses plain `@name` text (Slack only sends ids for people picked from the autocomplete),
    channel mentions, and anything else.
    """
    token = token.strip()
    match = _USER_RE.fullmatch(token)
    if match:
        return match.group(1)
    if not token:
        return Refusal("Mention a person, for example `@jane`.")
    if token.startswith("@"):
        return Refusal(
            f"{quote(token)} isn't a mention Slack sent me; pick the person from the @ list."
        )
    if _CHANNEL_RE.fullmatch(token):
        return Refusal(f"{quote(token)} is a channel; mention a person instead.")
    return Refusal(f"{quote(token)} isn't a mention of a person.")


def optional_mention(text: str, *, more_than_one: str) -> str | Refusal | None:
    """The one person `text` mentions, or None for empty text; refuses more than one token
    (with `more_than_one`) and anything `parse_user_mention` refuses."""
    tokens = split_args(text)
    if not tokens:
        return None
    if len(tokens) > 1:
        return Refusal(more_than_one)
    return parse_user_mention(tokens[0])


def parse_channel_mention(token: str) -> str | Refusal:
    """The channel id in Slack's escaped `<#C123ABC|name>` or `<#C123ABC>`.

    Refuses plain `#name` text, user mentions and anything else.
    """
    token = token.strip()
    match = _CHANNEL_RE.fullmatch(token)
    if match:
        return match.group(1)
    if not token:
        return Refusal("Mention a channel, for example `#payments`.")
    if token.startswith("#"):
        return Refusal(
            f"{quote(token)} isn't a channel link Slack sent me; pick it from the # list."
        )
    return Refusal(f"{quote(token)} isn't a channel.")


_LOCAL_RE: Final = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_LABEL_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def parse_email(text: str) -> str | Refusal:
    """A normalized (trimmed, lowercase) email address.

    Unwraps the link Slack may send (`<mailto:jane@example.com|jane@example.com>`). Refuses
    empty text, spaces, anything but exactly one `@`, an empty or over-long local part, a
    domain without a dot or with empty or invalid labels, non-ASCII characters, and addresses
    over 254 characters.
    """
    raw = text.strip()
    match = _MAILTO_RE.fullmatch(raw)
    if match:
        raw = match.group(1).strip()
    email = raw.lower()
    if not email:
        return Refusal("Enter an email address, for example `jane@example.com`.")
    if len(email) > MAX_EMAIL:
        return Refusal(f"That email address is longer than {MAX_EMAIL} characters.")
    if any(char.isspace() for char in email):
        return Refusal(f"{quote(raw)} contains a space; an email address has none.")
    if email.count("@") != 1:
        return Refusal(f"{quote(raw)} isn't an email address; it needs exactly one `@`.")
    local, _, domain = email.partition("@")
    if not email.isascii():
        return Refusal(f"{quote(raw)} has non-ASCII characters; use the plain ASCII address.")
    if not local or len(local) > 64 or not _LOCAL_RE.fullmatch(local) or ".." in local:
        return Refusal(f"{quote(raw)} has an invalid part before the `@`.")
    labels = domain.split(".")
    if len(labels) < 2:
        return Refusal(f"{quote(raw)} isn't an email address; the domain needs a dot.")
    if not all(_LABEL_RE.fullmatch(label) for label in labels):
        return Refusal(f"{quote(raw)} has an invalid domain after the `@`.")
    return email


def looks_like_email(token: str) -> bool:
    """True for a token that is meant as an email: it has an `@` or is a mailto link."""
    return token.lower().startswith("<mailto:") or ("@" in token and not token.startswith("<@"))
