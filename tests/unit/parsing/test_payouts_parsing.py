"""`/payouts [@vendor]`."""

from __future__ import annotations

import pytest

from bot.parsing import PayoutsArgs, parse_payouts_command
from bot.refusal import Refusal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", PayoutsArgs(None)),
        ("   ", PayoutsArgs(None)),
        ("<@U123ABC|jane>", PayoutsArgs("U123ABC")),
        ("<@U123ABC>", PayoutsArgs("U123ABC")),
    ],
)
def test_parse_payouts_command(text: str, expected: PayoutsArgs) -> None:
    assert parse_payouts_command(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<@U123ABC> <@U999>", "Mention one vendor"),
        ("jane", "isn't a mention"),
        ("@jane", "pick the person"),
        ("<#C123|ops>", "is a channel"),
    ],
)
def test_parse_payouts_command_refuses(text: str, fragment: str) -> None:
    result = parse_payouts_command(text)
    assert isinstance(result, Refusal) and fragment in result.message, result
