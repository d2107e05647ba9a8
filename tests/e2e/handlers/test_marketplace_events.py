"""Every Stripe event a marketplace cares about, from the fake Stripe to Slack: who hears what,
with which Dashboard links, once however the events come.

The first test lets the fake Stripe deliver (the normal case); the second plays the deliveries
by hand, each batch backwards and then again.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from bot.customers.expiry import cards_expiring_pass
from bot.services import SERVICES
from storage.models import Customer, Vendor
from tests.e2e.deliveries import new_events, post_event
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot, running_connectbot

VERA = "U0VERA"
VERA_CHANNEL = "C0VERA"
DM = f"D{VERA}"
EVERYONE = (VERA_CHANNEL, OPS_CHANNEL, DM)
DASHBOARD = "https://dashboard.stripe.com"


async def posts(cb: Connectbot) -> list[tuple[str, str]]:
    """Every message posted: (channel, the whole message as JSON: text and blocks)."""
    return [(c["params"]["channel"], json.dumps(c["params"])) for c in await cb.posted()]


async def said(cb: Connectbot, channel: str, words: str) -> list[str]:
    return [text for where, text in await posts(cb) if where == channel and words in text]


async def told_once(cb: Connectbot, words: str, *, where: tuple[str, ...]) -> str:
    """The message with `words`: once in each of `where` and nowhere else; its JSON."""
    found = [(channel, text) for channel, text in await posts(cb) if words in text]
    assert sorted(channel for channel, _ in found) == sorted(where), (words, found)
    return found[0][1]


async def test_money_events_reach_the_vendor_ops_and_dm_once_with_dashboard_links(
    cb: Connectbot,
) -> None:
    vendor = await connected_vendor(cb, VERA, channel_id=VERA_CHANNEL)
    account = vendor.stripe_account_id
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    stripe_charge = str(charge.stripe_charge_id)
    bob = await customer_with_card(cb, "bob@example.com", card="pm_card_chargeDeclined")
    declined = await charge_through_modal(cb, f"<@{VERA}> 30.00 {bob.email}", user=OPERATOR)
    assert declined.status == "failed"

    # The warning first: once the charge is disputed a warning is no longer actionable.
    await cb.stripe.early_fraud_warning(stripe_charge, "made_with_stolen_card")
    dispute = await cb.stripe.dispute(stripe_charge, reason="product_not_received")
    await cb.stripe.progress_dispute(dispute["id"], "under_review")
    await cb.stripe.progress_dispute(dispute["id"], "won")
    await cb.stripe.advance_clock(2 * 86400)  # Stripe pays out only funds already available
    payout = await cb.stripe.payout(account, amount=5000, status="in_transit")
    await cb.stripe.settle_payout(account, payout["id"], "failed", "account_closed")
    outside = await cb.stripe.dashboard_charge(
        account, amount=2500, card="pm_card_chargeDeclined", description="Counter sale"
    )
    await cb.app[SERVICES].stripe.api.v1.payment_intents.cancel_async(
        outside["id"],
        params={"cancellation_reason": "abandoned"},
        options={"stripe_account": account},
    )
    await cb.settled()

    opened = await told_once(cb, "Dispute of $100.00", where=EVERYONE)
    assert f"`{charge.id}`" in opened and "product not received" in opened
    assert f"{DASHBOARD}/{account}/test/disputes/{dispute['id']}|{dispute['id']}" in opened
    assert f"{DASHBOARD}/{account}/test/payments/{stripe_charge}|{stripe_charge}" in opened
    withdrawn = await told_once(cb, "dispute fee were withdrawn", where=EVERYONE)
    assert "$100.00 and a $15.00 dispute fee" in withdrawn
    await told_once(cb, "is now under review by the bank", where=EVERYONE)
    await told_once(cb, "was won", where=EVERYONE)
    await told_once(cb, f"went back to <@{VERA}>'s Stripe balance", where=EVERYONE)

    warning = await told_once(cb, "Early fraud warning", where=EVERYONE)
    assert "made with a stolen card" in warning and f"/refund {charge.id}" in warning

    failed = await told_once(cb, f"Payout of $50.00 to <@{VERA}> failed", where=EVERYONE)
    assert "The bank account has been closed" in failed and "Add a new bank account" in failed
    assert f"{DASHBOARD}/{account}/test/payouts/{payout['id']}|{payout['id']}" in failed

    # The Dashboard payment's failure is announced; connectbot's own declined charge is not
    # (its operator heard privately, with the decline reason).
    outside_failed = await told_once(
        cb, "A payment of $25.00 (Counter sale)", where=(VERA_CHANNEL, DM)
    )
    assert "Your card was declined" in outside_failed
    assert not await said(cb, VERA_CHANNEL, "$30.00")
    assert not await said(cb, OPS_CHANNEL, "$30.00")
    canceled = await told_once(cb, "was canceled: abandoned", where=(VERA_CHANNEL, DM))
    assert f"{DASHBOARD}/{account}/test/payments/{outside['id']}|{outside['id']}" in canceled


@pytest.fixture
async def by_hand(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, deliver_webhooks=False) as running:
        yield running


async def test_late_twice_and_out_of_order_events_are_told_once_and_old_news_not_at_all(
    by_hand: Connectbot,
) -> None:
    cb = by_hand
    seen: set[str] = set()

    async def deliver_backwards_then_again() -> None:
        made = await new_events(cb, seen)
        for event in [*reversed(made), *made]:
            await post_event(cb, event)
        await cb.settled()

    vendor = await connected_vendor(cb, VERA, channel_id=VERA_CHANNEL)
    account = vendor.stripe_account_id
    jane = await customer_with_card(cb, "jane@example.com")
    await deliver_backwards_then_again()
    charge = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    await deliver_backwards_then_again()

    # A dispute's whole life: the update (under review) arrives after the dispute closed and
    # is old news.
    dispute = await cb.stripe.dispute(str(charge.stripe_charge_id))
    await cb.stripe.progress_dispute(dispute["id"], "under_review")
    await cb.stripe.progress_dispute(dispute["id"], "lost")
    await deliver_backwards_then_again()

    # Requirements come due, then an unrelated account.updated, then they change, then a
    # capability goes inactive: told once per change.
    due = ["individual.dob.day", "individual.dob.month"]
    await cb.stripe.set_account(
        account, requirements={"currently_due": due, "current_deadline": 1_900_000_000}
    )
    await deliver_backwards_then_again()
    await cb.stripe.set_account(account, details_submitted=True)
    await deliver_backwards_then_again()
    await cb.stripe.set_account(account, requirements={"past_due": ["external_account"]})
    await deliver_backwards_then_again()
    await cb.stripe.set_capability(account, "card_payments", "inactive")
    await deliver_backwards_then_again()
    # Everything provided (nothing told), then the date of birth is due again: told again.
    nothing: list[str] = []
    await cb.stripe.set_account(
        account,
        requirements={"currently_due": nothing, "past_due": nothing, "eventually_due": nothing},
    )
    await deliver_backwards_then_again()
    await cb.stripe.set_account(
        account, requirements={"currently_due": due, "current_deadline": 1_900_000_000}
    )
    await deliver_backwards_then_again()

    # Jane's card expires this month: the daily check (twice, as two processes would) and
    # Stripe's event about the same card.
    now = datetime.now(UTC)
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Customer)
            .where(Customer.id == jane.id)
            .values(card_exp_month=now.month, card_exp_year=now.year)
        )
    services = cb.app[SERVICES]
    assert await cards_expiring_pass(services) == 1
    assert await cards_expiring_pass(services) == 1
    await cb.stripe.source_expiring(jane.stripe_customer_id, exp_month=now.month, exp_year=now.year)
    await deliver_backwards_then_again()

    await told_once(cb, "Dispute of $100.00", where=EVERYONE)
    await told_once(cb, "dispute fee were withdrawn", where=EVERYONE)
    await told_once(cb, "was lost", where=EVERYONE)
    assert not await said(cb, VERA_CHANNEL, "under review")

    asked = f"Stripe needs more information from <@{VERA}> by 2030-03-17"
    first, *again = await said(cb, VERA_CHANNEL, asked)
    assert len(again) == 1  # once when first due, once when due again after a clear
    assert len(await said(cb, OPS_CHANNEL, asked)) == len(await said(cb, DM, asked)) == 2
    assert "Due now by 2030-03-17:* date of birth" in first
    assert f"{DASHBOARD}/test/connect/accounts/{account}|{account}" in first
    overdue = await told_once(cb, f"Stripe has restricted <@{VERA}>'s account", where=EVERYONE)
    assert "Overdue:* a bank account for payouts" in overdue
    await told_once(cb, "card payments capability is now inactive", where=EVERYONE)
    async with cb.sessions() as session:
        row = await session.get(Vendor, vendor.id)
    assert row is not None and row.requirements_told is not None

    note = await told_once(cb, "The card on file for jane@example.com", where=(OPS_CHANNEL,))
    assert f"{DASHBOARD}/test/customers/{jane.stripe_customer_id}" in note
