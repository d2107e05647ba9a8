"""Customer messages: how a card is described, and that the Block Kit is valid."""

from __future__ import annotations

import pytest

from bot.views.customers import (
    card_saved_message,
    checkout_link_message,
    describe_card,
    shared_message,
)


@pytest.mark.parametrize(
    ("brand", "last4", "month", "year", "shown"),
    [
        ("visa", "4242", 12, 2029, "Visa •••• 4242 (exp 12/29)"),
        ("mastercard", "4444", 3, 2031, "Mastercard •••• 4444 (exp 03/31)"),
        ("amex", "0005", 1, 2100, "American Express •••• 0005 (exp 01/00)"),
        ("cartes_bancaires", "1234", None, None, "Cartes_Bancaires •••• 1234"),
        (None, None, None, None, "Card"),
    ],
)
def test_describe_card(
    brand: str | None, last4: str | None, month: int | None, year: int | None, shown: str
) -> None:
    assert describe_card(brand, last4, month, year) == shown


def test_checkout_link_has_a_button_and_the_bare_url() -> None:
    url = "https://checkout.stripe.com/c/pay/cs_test_123"
    msg = checkout_link_message(email="jane@example.com", url=url, current_card=None)
    assert url in msg["text"]
    [button] = [e for b in msg["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["url"] == url


def test_card_saved_and_shared_texts() -> None:
    saved = card_saved_message(email="jane@example.com", card="Visa •••• 4242 (exp 12/29)")
    assert saved["text"] == "jane@example.com now has a card on file: Visa •••• 4242 (exp 12/29)."
    shared = shared_message(
        email="jane@example.com", vendor_user_id="U1", card="Visa •••• 4242", account="acct_1"
    )
    assert shared["text"] == "jane@example.com was shared with <@U1> (Visa •••• 4242)."
