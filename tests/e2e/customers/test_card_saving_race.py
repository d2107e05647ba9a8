"""Two cards saved at once for one customer: the card recorded is the one Stripe has as default.

The `checkout.session.completed` handler reads Stripe before its transaction (its `prepare`
hook) and writes only inside it; when another card's event changed the default in between,
the event is handled again against the new default instead of overwriting it.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.customers.cards import prepare_saved_card, record_saved_card
from bot.early_events import TryAgainLater
from bot.services import SERVICES
from tests.e2e.customers.test_customers import add_and_pay, customer_row
from tests.harness import Connectbot


@pytest.mark.parametrize("older_first", [True, False], ids=["older-first", "newer-first"])
async def test_a_card_prepared_against_an_old_default_is_prepared_again(
    cb: Connectbot, older_first: bool
) -> None:
    for endpoint in await cb.stripe.webhook_endpoints():  # the test plays the event processor
        await cb.stripe.update_webhook_endpoint(endpoint["id"], status="disabled")
    await add_and_pay(cb, "jane@example.com", card="4242424242424242")
    await asyncio.sleep(1.05)  # Stripe's `created` has one-second resolution
    await add_and_pay(cb, "jane@example.com", card="5555555555554444")
    older, newer = sorted(
        (e for e in await cb.stripe.events() if e["type"] == "checkout.session.completed"),
        key=lambda e: e["created"],
    )
    services = cb.app[SERVICES]
    # Both read Stripe before either is recorded; each made its card Stripe's default.
    if older_first:
        late = await prepare_saved_card(services, older)
        first = await prepare_saved_card(services, newer)
    else:
        first = await prepare_saved_card(services, newer)
        late = await prepare_saved_card(services, older)
    assert late is not None and first is not None  # both against "no card yet"

    async with services.sessions.begin() as session:
        await record_saved_card(session, services.settings, first, event_id=newer["id"])
    with pytest.raises(TryAgainLater):
        async with services.sessions.begin() as session:
            await record_saved_card(session, services.settings, late, event_id=older["id"])
    # Prepared again: older than the default now, so nothing to record, and the newer card is
    # Stripe's default again.
    assert await prepare_saved_card(services, older) is None

    row = await customer_row(cb, "jane@example.com")
    assert row is not None and (row.card_brand, row.card_last4) == ("mastercard", "4444")
    stripe_customer = cb.stripe.stored(row.stripe_customer_id)
    assert stripe_customer["invoice_settings"]["default_payment_method"] == (
        row.default_payment_method_id
    )
