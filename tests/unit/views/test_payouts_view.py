"""Whose payouts `/payouts` shows, which are the last and next, and how they read."""

from __future__ import annotations

from bot.money import Money
from bot.refusal import Refusal
from bot.stripe_ops.payouts import Payout
from bot.vendors.payouts import NAME_A_VENDOR, NOT_ALLOWED, last_and_next, whose
from bot.views.payouts import PayoutSeen, payouts_summary

DAY = 86400
T = 1_700_000_000  # 2023-11-14


def payout(status: str, arrival: int, created: int) -> Payout:
    return Payout(f"po_{created}", Money(100, "usd"), status, arrival, created)


def test_whose() -> None:
    assert whose(operator=True, vendor=False, caller="UOP", named="UV") == "UV"
    assert whose(operator=True, vendor=True, caller="UOP", named=None) is NAME_A_VENDOR
    assert whose(operator=False, vendor=True, caller="UV", named="UOTHER") == "UV"
    assert whose(operator=False, vendor=True, caller="UV", named=None) == "UV"
    refused = whose(operator=False, vendor=False, caller="UX", named="UV")
    assert isinstance(refused, Refusal) and refused.message == NOT_ALLOWED


def test_last_is_the_newest_done_next_the_first_to_arrive() -> None:
    newest_first = (
        payout("pending", T + 5 * DAY, created=40),
        payout("in_transit", T + 2 * DAY, created=30),
        payout("failed", T + DAY, created=20),
        payout("paid", T, created=10),
    )
    last, coming = last_and_next(newest_first)
    assert last is not None and last.status == "failed"
    assert coming is not None and coming.status == "in_transit"
    assert last_and_next(()) == (None, None)


def test_summary_reads_per_currency_with_dates_and_statuses() -> None:
    shown = payouts_summary(
        vendor_label="<@UV>",
        available=(Money(123456, "usd"), Money(500, "eur")),
        pending=(),
        last=PayoutSeen(Money(1234, "usd"), "paid", T),
        upcoming=PayoutSeen(Money(99, "eur"), "in_transit", T + DAY),
    )
    text = str(shown["blocks"])
    assert "*Available:* $1,234.56, €5.00" in text
    assert "*Pending:* $0.00" in text
    assert "*Last payout:* $12.34 · paid · arrived 2023-11-14" in text
    assert "*Next payout:* €0.99 · in transit · arrival 2023-11-15" in text
    quiet = payouts_summary(
        vendor_label="<@UV>", available=(), pending=(), last=None, upcoming=None
    )
    assert "none yet" in str(quiet) and "none scheduled" in str(quiet)
