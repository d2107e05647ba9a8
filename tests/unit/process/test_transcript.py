"""Slack markup as a terminal shows it (the demo's transcript)."""

from __future__ import annotations

import pytest

from bot.demo.transcript import ANSI_BOLD, ANSI_RESET, for_terminal


@pytest.mark.parametrize(
    ("slack", "terminal"),
    [
        ("*Platform fees* $6.00", "Platform fees $6.00"),
        ("*Vendor:* @Vera (`acct_123`)", "Vendor: @Vera (acct_123)"),
        (":white_check_mark: Charged $100.00", "✅ Charged $100.00"),
        (":money_with_wings: paid", "money with wings paid"),
        ("_pending_ and ~old~", "pending and old"),
        ("```\ncode```", "\ncode"),
        ("2 * 3 * 4 stays", "2 * 3 * 4 stays"),  # not bold: the stars touch spaces
        ("snake_case_name and 12:30:45", "snake_case_name and 12:30:45"),
    ],
)
def test_for_terminal(slack: str, terminal: str) -> None:
    assert for_terminal(slack) == terminal


def test_bold_is_bold_on_a_terminal_that_shows_it() -> None:
    assert for_terminal("*Refunds* $40.00", ansi=True) == f"{ANSI_BOLD}Refunds{ANSI_RESET} $40.00"
