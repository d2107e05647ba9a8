"""`/payouts [@vendor]`: the balance and the last and next payouts, read from Stripe."""

from __future__ import annotations

from typing import Any

from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.vendors.test_onboarding import reply_to
from tests.harness import ADMIN, OPERATOR, Connectbot

VERA, VICTOR = "U0VERA", "U0VICTOR"
PAID_ON = 1_700_000_000  # 2023-11-14


async def reads(cb: Connectbot) -> list[dict[str, Any]]:
    """The balance and payouts requests Stripe received."""
    return [
        r
        for r in await cb.stripe.requests()
        if r["method"] == "GET" and r["path"] in ("/v1/balance", "/v1/payouts")
    ]


async def answer(cb: Connectbot, user: str, text: str = "") -> str:
    reply = await cb.slack_sender.command("/payouts", text, user_id=user)
    assert reply.status == 200
    return str(await reply_to(cb, reply.response_key))


async def test_a_vendor_sees_their_own_whoever_they_name(cb: Connectbot) -> None:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    await charge_through_modal(cb, f"<@{VERA}|vera> 40.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VICTOR}|victor> 10.00 jane@example.com", user=OPERATOR)
    await cb.stripe.advance_clock(2 * 86400)  # the charges' funds are available two days on
    # Payouts come out of the available balance (the fake refuses more, as Stripe does).
    await cb.stripe.payout(vera.stripe_account_id, amount=1234, status="paid", arrival_date=PAID_ON)
    await cb.stripe.payout(vera.stripe_account_id, amount=2000, status="in_transit")
    await cb.stripe.payout(victor.stripe_account_id, amount=99, status="paid")
    await charge_through_modal(cb, f"<@{VERA}|vera> 40.00 jane@example.com", user=OPERATOR)
    before = len(await reads(cb))

    said = await answer(cb, VERA, f"<@{VICTOR}|victor>")

    # Each $40.00 less the 10% platform fee and Stripe's 2.9% + 30¢ is $34.54: the first is
    # available less the payouts ($34.54 - $32.34), the second still pending (two days).
    assert "*Pending:* $34.54" in said and "*Available:* $2.20" in said, said
    assert "*Last payout:* $12.34 · paid · arrived 2023-11-14" in said, said
    assert "*Next payout:* $20.00 · in transit · arrival 20" in said, said
    assert f"<@{VERA}>" in said and "$0.99" not in said
    # One request each, under Vera's account.
    made = (await reads(cb))[before:]
    assert sorted(r["path"] for r in made) == ["/v1/balance", "/v1/payouts"]
    assert {r["stripe_account"] for r in made} == {vera.stripe_account_id}
    assert all(r["status"] == 200 and not r.get("problems") for r in made), made


async def test_an_operator_names_the_vendor(cb: Connectbot) -> None:
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    await charge_through_modal(cb, f"<@{VICTOR}|victor> 10.00 jane@example.com", user=OPERATOR)
    await cb.stripe.advance_clock(2 * 86400)
    await cb.stripe.payout(victor.stripe_account_id, amount=700, status="pending")
    before = len(await reads(cb))
    said = await answer(cb, OPERATOR, f"<@{VICTOR}|victor>")
    assert f"Payouts of <@{VICTOR}>" in said and "*Next payout:* $7.00 · pending" in said, said
    assert "*Last payout:* none yet" in said and "*Available:* $1.41" in said, said
    made = (await reads(cb))[before:]
    assert {r["stripe_account"] for r in made} == {victor.stripe_account_id} and len(made) == 2


async def test_an_operator_must_name_a_vendor(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    said = await answer(cb, ADMIN)
    assert "Name the vendor whose payouts you want to see" in said and "Usage:" in said, said
    assert await reads(cb) == []


async def test_anyone_else_is_refused_and_stripe_is_not_asked(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    reply = await cb.slack_sender.command("/payouts", f"<@{VERA}|vera>", user_id="U0STRANGER")
    assert "Only connectbot operators, admins and vendors can see payouts" in reply.body
    assert "Usage" not in reply.body
    assert await reads(cb) == []


async def test_a_disconnected_vendor_is_refused(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA, status="disconnected")
    said = await answer(cb, OPERATOR, f"<@{VERA}|vera>")
    assert "Stripe account is disconnected" in said, said
    assert await reads(cb) == []


async def test_stripe_failing_is_said_plainly(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    # stripe-python retries a 500 twice: every attempt fails.
    await cb.stripe.fault("GET", "/v1/balance", "500", count=3)
    said = await answer(cb, VERA)
    assert "Stripe is unavailable right now" in said and "Try again" in said, said
    assert "Traceback" not in said and "APIError" not in said
