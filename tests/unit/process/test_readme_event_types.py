"""README's Stripe set-up asks for every event type connectbot handles, and its table of
announcements names each type connectbot announces in its own words."""

from __future__ import annotations

import re
from pathlib import Path

from bot.handlers import build_event_handlers

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_stripe_set_up_selects_every_handled_event_type() -> None:
    text = README.read_text()
    setup = text[text.index("## Setting up the Stripe Connect platform") :]
    setup = setup[: setup.index("\n## ")]
    asked = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", setup))
    missing = build_event_handlers().types() - asked
    assert not missing, f"README's Stripe set-up does not select {sorted(missing)}"


def test_the_announcements_table_names_the_new_event_types() -> None:
    text = README.read_text()
    table = text[text.index("**What connectbot announces, and where.**") :]
    for event_type in (
        "payout.failed",
        "charge.dispute.closed",
        "radar.early_fraud_warning.created",
        "payment_intent.canceled",
        "charge.failed",
        "capability.updated",
        "customer.source.expiring",
    ):
        assert f"`{event_type}`" in table[:4000], event_type
