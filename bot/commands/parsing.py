"""Parse slash-command text into small values, or a `Refusal` saying what was wrong.

Pure code: no I/O and no clock (`today` is passed in). Slack sends mentions escaped
(`<@U123ABC|jane>`, `<#C123ABC|ops>`, `<mailto:jane@example.com|jane@example.com>`) and
escapes `&`, `<`, `>` in the rest of the text as `&amp;`, `&lt;`, `&gt;`. Every refusal says
what was wrong in one sentence; callers append the command's usage text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from bot.money import (
    STRIPE_CURRENCIES,
    SUPPORTED_CURRENCIES,
    FeePolicy,
    Money,
    Refusal,
    parse_fee_policy,
    parse_money,
)

__all__ = [
    "AddCustomerArgs",
    "ChargeArgs",
    "ConnectVendorArgs",
    "FeesArgs",
    "Period",
    "RefundArgs",
    "ShareCustomerArgs",
    "VendorChannelArgs",
    "VendorFeeArgs",
    "parse_add_customer",
    "parse_channel_mention",
    "parse_charge_command",
    "parse_connect_vendor_command",
    "parse_email",
    "parse_fees_command",
    "parse_period",
    "parse_refund_command",
    "parse_share_customer",
    "parse_user_mention",
    "parse_vendor_channel_command",
    "parse_vendor_disconnect_command",
    "parse_vendor_fee_command",
    "split_args",
    "unescape_slack",
]

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


def _show(text: str) -> str:
    """Quote user text for a message without letting it break Slack formatting."""
    shown = text.strip().replace("`", "'")
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"`{shown}`"


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in free text (`&amp;` last)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------


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
            f"{_show(token)} isn't a mention Slack sent me; pick the person from the @ list."
        )
    if _CHANNEL_RE.fullmatch(token):
        return Refusal(f"{_show(token)} is a channel; mention a person instead.")
    return Refusal(f"{_show(token)} isn't a mention of a person.")


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
            f"{_show(token)} isn't a channel link Slack sent me; pick it from the # list."
        )
    return Refusal(f"{_show(token)} isn't a channel.")


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
        return Refusal(f"{_show(raw)} contains a space; an email address has none.")
    if email.count("@") != 1:
        return Refusal(f"{_show(raw)} isn't an email address; it needs exactly one `@`.")
    local, _, domain = email.partition("@")
    if not email.isascii():
        return Refusal(f"{_show(raw)} has non-ASCII characters; use the plain ASCII address.")
    if not local or len(local) > 64 or not _LOCAL_RE.fullmatch(local) or ".." in local:
        return Refusal(f"{_show(raw)} has an invalid part before the `@`.")
    labels = domain.split(".")
    if len(labels) < 2:
        return Refusal(f"{_show(raw)} isn't an email address; the domain needs a dot.")
    if not all(_LABEL_RE.fullmatch(label) for label in labels):
        return Refusal(f"{_show(raw)} has an invalid domain after the `@`.")
    return email


def _looks_like_email(token: str) -> bool:
    """True for a token that is meant as an email: it has an `@` or is a mailto link."""
    return token.lower().startswith("<mailto:") or ("@" in token and not token.startswith("<@"))


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """Dates from `start` to `end`, both inclusive, and how to name them in a message."""

    start: date
    end: date
    label: str


_MONTH_NAMES: Final = (
    "January February March April May June July August September October November December"
).split()
_MONTH_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_RANGE_RE: Final = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})")


def _make_date(text: str) -> date | Refusal:
    """A `YYYY-MM-DD` date; refuses impossible dates like `2025-02-30`."""
    match = _DAY_RE.fullmatch(text)
    if not match:
        return Refusal(f"{_show(text)} isn't a date like `2025-03-31`.")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return Refusal(f"{_show(text)} isn't a real date.")


def _not_future(period: Period, text: str, today: date) -> Period | Refusal:
    """Refuse a period that starts after today (usually a typo)."""
    if period.start > today:
        return Refusal(f"{_show(text)} starts in the future.")
    return period


def parse_period(text: str, *, today: date) -> Period | Refusal:
    """A reporting period, both ends inclusive.

    * empty or `today`: today;
    * `week`: this ISO week, Monday to today;
    * `month`: the first of this month to today;
    * `YYYY-MM`: that whole calendar month;
    * `YYYY-MM-DD`: that day;
    * `YYYY-MM-DD..YYYY-MM-DD`: that range.

    Keywords are case-insensitive. Refuses other words, impossible dates (`2025-02-30`,
    `2025-13`), a range whose start is after its end, and periods starting after `today`.
    """
    word = text.strip().lower()
    if word in ("", "today"):
        return Period(today, today, f"today ({today.isoformat()})")
    if word == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(monday, today, f"this week ({monday.isoformat()}..{today.isoformat()})")
    if word == "month":
        first = today.replace(day=1)
        return Period(first, today, f"this month ({first.isoformat()}..{today.isoformat()})")
    month = _MONTH_RE.fullmatch(word)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12 or year < 1:
            return Refusal(f"{_show(text)} isn't a real month.")
        last = calendar.monthrange(year, number)[1]
        start = date(year, number, 1)
        label = f"{_MONTH_NAMES[number - 1]} {year}"
        return _not_future(Period(start, date(year, number, last), label), text, today)
    if _DAY_RE.fullmatch(word):
        day = _make_date(word)
        if isinstance(day, Refusal):
            return day
        return _not_future(Period(day, day, day.isoformat()), text, today)
    span = _RANGE_RE.fullmatch(word)
    if span:
        return _parse_range(span.group(1), span.group(2), text, today)
    return Refusal(
        f"{_show(text)} isn't a period; use `today`, `week`, `month`, `2025-03` "
        "or `2025-03-01..2025-03-15`."
    )


def _parse_range(first: str, second: str, text: str, today: date) -> Period | Refusal:
    """`YYYY-MM-DD..YYYY-MM-DD`; refuses impossible dates and a reversed range."""
    start = _make_date(first)
    if isinstance(start, Refusal):
        return start
    end = _make_date(second)
    if isinstance(end, Refusal):
        return end
    if start > end:
        return Refusal(f"{_show(text)} ends before it starts.")
    return _not_future(Period(start, end, f"{start.isoformat()}..{end.isoformat()}"), text, today)


# --------------------------------------------------------------------------------------------
# Command shapes
# --------------------------------------------------------------------------------------------

#: Lowercase words that are Stripe currency codes but usually mean the English word in a
#: description (`/charge @v 100 all day pass`). Written in capitals they are still codes.
_WORDS_NOT_CODES: Final = frozenset(
    {"all", "top", "try", "pen", "bob", "mop", "sos", "mad", "gel", "cop", "bam", "cup", "lak"}
)


def _is_currency_token(token: str) -> bool:
    """True if a token is a currency (a code or a bare symbol) rather than description."""
    if token in ("$", "€", "£", "¥"):
        return True
    if not (len(token) == 3 and token.isascii() and token.isalpha()):
        return False
    code = token.lower()
    if code in SUPPORTED_CURRENCIES:
        return True
    return code in STRIPE_CURRENCIES and not (token.islower() and code in _WORDS_NOT_CODES)


def _take_amount(tokens: list[str]) -> tuple[str, list[str]]:
    """Split the amount's text (one or two tokens) from the tokens that follow it.

    `EUR 100`, `$ 100`, `100 eur` and `100.00 EUR` take two tokens; `€100`, `100eur`, `100`
    take one.
    """
    if len(tokens) >= 2 and _is_currency_token(tokens[0]):
        return f"{tokens[0]} {tokens[1]}", tokens[2:]
    if len(tokens) >= 2 and _is_currency_token(tokens[1]):
        return f"{tokens[0]} {tokens[1]}", tokens[2:]
    return tokens[0], tokens[1:]


def _description(tokens: list[str]) -> str | Refusal | None:
    """Join the rest of the text into a description (Slack escapes undone), or None.

    Refuses descriptions over 500 characters.
    """
    description = unescape_slack(" ".join(tokens)).strip()
    if not description:
        return None
    if len(description) > MAX_DESCRIPTION:
        return Refusal(f"The description is longer than {MAX_DESCRIPTION} characters.")
    return description


@dataclass(frozen=True, slots=True)
class ChargeArgs:
    """`/charge @vendor amount [currency] [email] [description…]`."""

    vendor_user_id: str
    money: Money
    customer_email: str | None
    description: str | None


def parse_charge_command(
    text: str, *, default_currency: str, max_amount: int
) -> ChargeArgs | Refusal:
    """Parse `/charge @vendor 100.00 [currency] [email] [description…]`.

    The amount may be `100.00`, `100.00 eur`, `EUR 100`, `€100` or `100eur`; `max_amount` is
    in minor units (see `parse_money`). An email is recognised right after the amount (any
    token with an `@`, or a mailto link); the rest is the description (quotes optional).
    Refuses a missing or non-mention vendor, a missing amount, anything `parse_money`
    refuses, an invalid email, and a description over 500 characters.
    """
    tokens = split_args(text)
    if not tokens:
        return Refusal("Say who to charge and how much, for example `@vendor 100.00`.")
    vendor = parse_user_mention(tokens[0])
    if isinstance(vendor, Refusal):
        return Refusal(f"Start with the vendor. {vendor.message}")
    if len(tokens) < 2:
        return Refusal("Add the amount to charge after the vendor, for example `100.00`.")
    amount_text, rest = _take_amount(tokens[1:])
    money = parse_money(amount_text, default_currency=default_currency, max_amount=max_amount)
    if isinstance(money, Refusal):
        return money
    email: str | None = None
    if rest and _looks_like_email(rest[0]):
        parsed_email = parse_email(rest[0])
        if isinstance(parsed_email, Refusal):
            return parsed_email
        email, rest = parsed_email, rest[1:]
    description = _description(rest)
    if isinstance(description, Refusal):
        return description
    return ChargeArgs(vendor, money, email, description)


_CHARGE_REF_RE: Final = re.compile(r"pi_[A-Za-z0-9]{8,}|cb_ch_[A-Za-z0-9]{12,}")


@dataclass(frozen=True, slots=True)
class RefundArgs:
    """`/refund <charge ref> [amount]`: `amount` None means refund everything that remains.

    `amount_text` is what was typed, so the handler can re-read it in the charge's own
    currency with `bot.money.resolve_refund_amount` once the charge is known.
    """

    charge_ref: str
    amount: Money | None
    amount_text: str | None


def parse_refund_command(
    text: str, *, default_currency: str, max_amount: int
) -> RefundArgs | Refusal:
    """Parse `/refund <charge ref> [amount]`.

    The ref is a PaymentIntent id (`pi_` + 8 or more letters/digits) or a connectbot charge
    id (`cb_ch_` + 12 or more letters/digits). The amount is read like `parse_money` but
    without Stripe's minimum charge (small partial refunds are fine), in `default_currency`
    unless it names one. Refuses a missing or malformed ref and a refused amount.
    """
    tokens = split_args(text)
    if not tokens:
        return Refusal("Say which charge to refund, for example `pi_3Nx…` or `cb_ch_…`.")
    ref = tokens[0]
    if not _CHARGE_REF_RE.fullmatch(ref):
        return Refusal(
            f"{_show(ref)} isn't a charge reference; use the `pi_…` or `cb_ch_…` id "
            "from the charge message."
        )
    if len(tokens) == 1:
        return RefundArgs(ref, None, None)
    amount_text = " ".join(tokens[1:])
    money = parse_money(
        amount_text,
        default_currency=default_currency,
        max_amount=max_amount,
        enforce_minimum=False,
    )
    if isinstance(money, Refusal):
        return money
    return RefundArgs(ref, money, amount_text)


def _drop_subcommand(tokens: list[str], name: str) -> list[str]:
    """Drop a leading subcommand word (`fee`, `channel`, …) so callers may pass either text."""
    if tokens and tokens[0].lower() == name:
        return tokens[1:]
    return tokens


def _vendor_first(tokens: list[str], what: str) -> str | Refusal:
    """The vendor mention that must open a `/vendors …` subcommand."""
    if not tokens:
        return Refusal(f"Mention the vendor whose {what} to change, for example `@vendor`.")
    return parse_user_mention(tokens[0])


_RESET_WORDS: Final = frozenset({"default", "reset", "none", "clear"})


@dataclass(frozen=True, slots=True)
class VendorFeeArgs:
    """`/vendors fee @vendor <policy>`; `policy` None means back to the default policy."""

    vendor_user_id: str
    policy: FeePolicy | None


def parse_vendor_fee_command(text: str, *, currency: str) -> VendorFeeArgs | Refusal:
    """Parse `[fee] @vendor 5% + 0.30` (or `default` to remove the override).

    The fixed part is in `currency` unless it names one. Refuses a missing vendor or policy
    and anything `parse_fee_policy` refuses.
    """
    tokens = _drop_subcommand(split_args(text), "fee")
    vendor = _vendor_first(tokens, "fee")
    if isinstance(vendor, Refusal):
        return vendor
    rest = " ".join(tokens[1:])
    if not rest.strip():
        return Refusal("Add the fee after the vendor, for example `5% + 0.30`.")
    if rest.strip().lower() in _RESET_WORDS:
        return VendorFeeArgs(vendor, None)
    policy = parse_fee_policy(rest, currency=currency)
    if isinstance(policy, Refusal):
        return policy
    return VendorFeeArgs(vendor, policy)


@dataclass(frozen=True, slots=True)
class VendorChannelArgs:
    """`/vendors channel @vendor #channel`; `channel_id` None means back to the ops channel."""

    vendor_user_id: str
    channel_id: str | None


def parse_vendor_channel_command(text: str) -> VendorChannelArgs | Refusal:
    """Parse `[channel] @vendor #channel` (or `default` to remove the routing).

    Refuses a missing vendor, a missing or non-channel target, and extra words.
    """
    tokens = _drop_subcommand(split_args(text), "channel")
    vendor = _vendor_first(tokens, "channel")
    if isinstance(vendor, Refusal):
        return vendor
    if len(tokens) < 2:
        return Refusal("Add the channel after the vendor, for example `#payments`.")
    if len(tokens) > 2:
        return Refusal(f"Unexpected {_show(' '.join(tokens[2:]))} after the channel.")
    if tokens[1].lower() in _RESET_WORDS:
        return VendorChannelArgs(vendor, None)
    channel = parse_channel_mention(tokens[1])
    if isinstance(channel, Refusal):
        return channel
    return VendorChannelArgs(vendor, channel)


def parse_vendor_disconnect_command(text: str) -> str | Refusal:
    """Parse `[disconnect] @vendor` into the vendor's user id; refuses anything more or less."""
    tokens = _drop_subcommand(split_args(text), "disconnect")
    if len(tokens) != 1:
        return Refusal("Mention exactly one vendor to disconnect, for example `@vendor`.")
    return parse_user_mention(tokens[0])


@dataclass(frozen=True, slots=True)
class ConnectVendorArgs:
    """`/connect-vendor [@vendor]`: None means the caller connects themselves."""

    vendor_user_id: str | None


def parse_connect_vendor_command(text: str) -> ConnectVendorArgs | Refusal:
    """Parse `/connect-vendor` (empty) or `/connect-vendor @vendor`; refuses anything else."""
    tokens = split_args(text)
    if not tokens:
        return ConnectVendorArgs(None)
    if len(tokens) > 1:
        return Refusal("Mention one vendor, or nothing to connect yourself.")
    vendor = parse_user_mention(tokens[0])
    if isinstance(vendor, Refusal):
        return vendor
    return ConnectVendorArgs(vendor)


@dataclass(frozen=True, slots=True)
class FeesArgs:
    """`/fees [period] [@vendor]`: `vendor_user_id` None means every vendor."""

    period: Period
    vendor_user_id: str | None


def parse_fees_command(text: str, *, today: date) -> FeesArgs | Refusal:
    """Parse `/fees [today|week|month|YYYY-MM|YYYY-MM-DD..YYYY-MM-DD] [@vendor]`, any order.

    No period means today. Refuses two periods, two vendors, and anything `parse_period` or
    `parse_user_mention` refuses.
    """
    period_text: str | None = None
    vendor: str | None = None
    for token in split_args(text):
        if token.startswith(("<@", "@")):
            if vendor is not None:
                return Refusal("Mention at most one vendor.")
            mention = parse_user_mention(token)
            if isinstance(mention, Refusal):
                return mention
            vendor = mention
        else:
            if period_text is not None:
                return Refusal(f"Give one period, not {_show(period_text)} and {_show(token)}.")
            period_text = token
    period = parse_period(period_text or "", today=today)
    if isinstance(period, Refusal):
        return period
    return FeesArgs(period, vendor)


@dataclass(frozen=True, slots=True)
class AddCustomerArgs:
    """`/add-customer email [name…]`."""

    email: str
    name: str | None


def parse_add_customer(text: str) -> AddCustomerArgs | Refusal:
    """Parse `jane@example.com [Jane Doe]`; the name is the rest, quotes optional.

    Refuses a missing or invalid email and a name over 200 characters.
    """
    tokens = split_args(text)
    if not tokens:
        return Refusal("Give the customer's email, for example `jane@example.com`.")
    email = parse_email(tokens[0])
    if isinstance(email, Refusal):
        return email
    name = unescape_slack(" ".join(tokens[1:])).strip() or None
    if name is not None and len(name) > MAX_NAME:
        return Refusal(f"The name is longer than {MAX_NAME} characters.")
    return AddCustomerArgs(email, name)


@dataclass(frozen=True, slots=True)
class ShareCustomerArgs:
    """`/share-customer @vendor email`."""

    vendor_user_id: str
    email: str


def parse_share_customer(text: str) -> ShareCustomerArgs | Refusal:
    """Parse `@vendor jane@example.com` (either order).

    Refuses anything but exactly one vendor mention and one email.
    """
    tokens = split_args(text)
    if len(tokens) != 2:
        return Refusal("Give a vendor and an email, for example `@vendor jane@example.com`.")
    first, second = tokens
    if not first.startswith("<@") and second.startswith("<@"):
        first, second = second, first
    vendor = parse_user_mention(first)
    if isinstance(vendor, Refusal):
        return vendor
    email = parse_email(second)
    if isinstance(email, Refusal):
        return email
    return ShareCustomerArgs(vendor, email)
