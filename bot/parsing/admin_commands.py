"""The shapes of `/vendors …`, `/connect-vendor`, `/fees`, `/add-customer`, `/share-customer`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.money import (
    FeePolicy,
    parse_fee_policy,
)
from bot.parsing.periods import Period, parse_period
from bot.parsing.tokens import (
    MAX_NAME,
    optional_mention,
    parse_channel_mention,
    parse_email,
    parse_user_mention,
    quote,
    split_args,
    unescape_slack,
)
from bot.refusal import Refusal


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
        return Refusal(f"Unexpected {quote(' '.join(tokens[2:]))} after the channel.")
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
    vendor = optional_mention(
        text, more_than_one="Mention one vendor, or nothing to connect yourself."
    )
    if isinstance(vendor, Refusal):
        return vendor
    return ConnectVendorArgs(vendor)


@dataclass(frozen=True, slots=True)
class FeesArgs:
    """`/fees [period] [csv] [@vendor]`: `vendor_user_id` None means every vendor; `csv`
    asks for the charges as a CSV file instead of the summary."""

    period: Period
    vendor_user_id: str | None
    csv: bool = False


def parse_fees_command(text: str, *, today: date) -> FeesArgs | Refusal:
    """Parse `/fees [period] [csv] [@vendor]`, any order (periods: see `parse_period`).

    No period means today; the word `csv` (any case) asks for the export. Refuses two
    periods, two vendors, `csv` twice, and anything `parse_period` or `parse_user_mention`
    refuses.
    """
    period_text: str | None = None
    vendor: str | None = None
    csv = False
    for token in split_args(text):
        if token.startswith(("<@", "@")):
            if vendor is not None:
                return Refusal("Mention at most one vendor.")
            mention = parse_user_mention(token)
            if isinstance(mention, Refusal):
                return mention
            vendor = mention
        elif token.lower() == "csv":
            if csv:
                return Refusal("Say `csv` once.")
            csv = True
        else:
            if period_text is not None:
                return Refusal(f"Give one period, not {quote(period_text)} and {quote(token)}.")
            period_text = token
    period = parse_period(period_text or "", today=today)
    if isinstance(period, Refusal):
        return period
    return FeesArgs(period, vendor, csv)


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
