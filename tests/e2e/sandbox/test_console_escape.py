"""How the console escapes what a person types, as Slack does for `should_escape` commands."""

from __future__ import annotations

import pytest

from sandbox.slack_fake.console.escape import escape_command_text, split_command

PEOPLE = {"vera": "U0VERA", "vera vendor": "U0VERA", "otto": "U0OTTO"}
CHANNELS = {"ops": "C0OPS", "general": "C0GENERAL"}


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("@Vera 100", "<@U0VERA|vera> 100"),
        ("@vera 100 jane@example.com", "<@U0VERA|vera> 100 jane@example.com"),
        ("channel @Vera #ops", "channel <@U0VERA|vera> <#C0OPS|ops>"),
        ("@Nobody #nowhere", "@Nobody #nowhere"),
        ("@Otto.", "<@U0OTTO|otto>."),
        ("fee @Vera 5% + 0.30", "fee <@U0VERA|vera> 5% + 0.30"),
        ("<@U0VERA|vera> already escaped", "<@U0VERA|vera> already escaped"),
    ],
)
def test_mentions_and_channels_are_escaped(typed: str, sent: str) -> None:
    assert escape_command_text(typed, people=PEOPLE, channels=CHANNELS) == sent


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("/charge @Vera 100", ("/charge", "@Vera 100")),
        ("  /Connect-Vendor   help ", ("/connect-vendor", "help")),
        ("/vendors", ("/vendors", "")),
        ("hello /charge", None),
        ("", None),
    ],
)
def test_split_command(typed: str, parsed: tuple[str, str] | None) -> None:
    assert split_command(typed) == parsed
