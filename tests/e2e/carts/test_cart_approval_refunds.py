"""A split cart whose total (not any one part) is above APPROVAL_THRESHOLD waits for one
approval of the whole cart; approved, every part is charged; `/refund` of the cart refunds the
chosen parts, the fee in proportion; /fees counts each part under its vendor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.notifications.digest import digest_pass
from bot.services import SERVICES
from storage.models import AuditEntry, Cart, Charge
from tests.e2e.carts.cart_steps import (
    VERA,
    VICTOR,
    buttons,
    cart_settled,
    open_cart,
    rows_by_vendor,
    submit_cart,
    the_cart,
)
from tests.e2e.commands.test_fees import fees, line_from_stripe
from tests.e2e.notifications.test_digest import digests_in, figures, the_morning_after
from tests.e2e.scenario import (
    charge_through_modal,
    connected_vendor,
    customer_with_card,
    deauthorized_in_stripe,
    intent_creates,
    refund,
    stripe_state,
)
from tests.e2e.stripe_totals import stripe_totals
from tests.harness import OPERATOR, OPERATOR_2, OPS_CHANNEL, Connectbot, running_connectbot


@pytest.fixture
async def cb(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, approval_threshold=50000) as running:
        yield running


async def test_cart_total_needs_one_approval_then_chosen_parts_refund(cb: Connectbot) -> None:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    # Refused in the ack, privately, with the usage, and nothing stored.
    for text, says in (
        (f"<@{VERA}> 1 <@{VERA}> 2", f"<@{VERA}> is in the cart twice"),
        (f"<@{VERA}> 1 eur <@{VICTOR}> 2 gbp", "one currency, not EUR and GBP"),
        (f"<@{VERA}> 1 <@U0NOBODY> 2", "<@U0NOBODY> isn't a connected vendor yet"),
        (f"<@{VERA}> 1 <@{VICTOR}> 2 nobody@example.com", "`nobody@example.com` isn't a customer"),
    ):
        reply = await cb.slack_sender.command("/charge", text, user_id=OPERATOR)
        assert (
            reply.status == 200 and says in reply.body and "@vera 60.00 @victor 40.00" in reply.body
        )
    # Each part is under the $500.00 threshold; the cart's total is not.
    key, view = await open_cart(cb, f"<@{VERA}> 300 <@{VICTOR}> 250 jane@example.com")
    assert "approval threshold" in str(view["blocks"])
    await submit_cart(cb, view)

    async def request() -> list[dict[str, Any]]:
        return [m for m in await cb.slack.messages(OPS_CHANNEL) if "Approval needed" in m["text"]]

    [message] = await cb.until(request, what="the approval request")
    cart = await the_cart(cb)
    assert cart.status == "awaiting_approval" and cart.id in message["text"]
    assert "$550.00" in message["text"] and buttons(message) == ["cart_approve", "cart_reject"]
    assert await intent_creates(cb) == []
    [note] = await cb.until(lambda: cb.slack.responses(key), what="the requester's note")
    assert "needs a second operator's approval" in note["text"]

    own = await cb.slack_sender.block_action(
        "cart_approve", user_id=OPERATOR, message=message, channel_id=OPS_CHANNEL
    )
    [refused] = await cb.until(lambda: cb.slack.responses(str(own.response_key)), what="no")
    assert "can't approve" in refused["text"]
    assert (await the_cart(cb)).status == "awaiting_approval"
    await asyncio.gather(
        *(
            cb.slack_sender.block_action(
                "cart_approve", user_id=OPERATOR_2, message=message, channel_id=OPS_CHANNEL
            )
            for _ in range(2)
        )
    )
    cart = await cart_settled(cb)
    assert cart.approved_by == OPERATOR_2
    creates = await intent_creates(cb)
    assert sorted(c["stripe_account"] for c in creates) == sorted(
        [vera.stripe_account_id, victor.stripe_account_id]
    )
    [vera_part] = await rows_by_vendor(cb, vera.id)
    [victor_part] = await rows_by_vendor(cb, victor.id)
    assert (vera_part.status, vera_part.approved_by) == ("succeeded", OPERATOR_2)
    assert (victor_part.status, victor_part.application_fee_amount) == ("succeeded", 2500)
    await cb.settled()
    edited = [m for m in await cb.slack.messages(OPS_CHANNEL) if cart.id in m["text"]]
    # The request, edited to name who approved; then the cart's one confirmation.
    approved, summary = edited
    assert approved["text"].startswith(f"Approved by <@{OPERATOR_2}>: cart `{cart.id}`")
    assert "charged $550.00" in summary["text"] and "2 of 2 vendors" in summary["text"]

    # Refund Victor's part only: in full, his fee refunded in proportion (all of it).
    answer = await refund(cb, f"{cart.id} <@{VICTOR}>")
    assert f"<@{VICTOR}>'s part ($250.00)" in answer and VERA not in answer
    await cb.events_handled()
    assert await stripe_state(cb, victor_part, victor) == (25000, 2500)
    assert await stripe_state(cb, vera_part, vera) == (0, 0)
    # "all" refunds what is left: Vera's part.
    answer = await refund(cb, f"{cart.id} all")
    assert f"<@{VERA}>'s part ($300.00)" in answer and VICTOR not in answer
    await cb.events_handled()
    assert await stripe_state(cb, vera_part, vera) == (30000, 3000)
    assert "no charged part left" in await refund(cb, f"{cart.id} all")
    assert "has no part in cart" in await refund(cb, f"{cart.id} <@U0NOBODY>")

    # /fees counts each part under its own vendor, to the cent of Stripe's figures.
    _, summary = await fees(cb, "today")
    assert summary is not None
    lines = summary.splitlines()
    assert line_from_stripe(VERA, stripe_totals(cb, vera.stripe_account_id)) in lines
    assert line_from_stripe(VICTOR, stripe_totals(cb, victor.stripe_account_id)) in lines
    # So does the daily digest, the morning after.
    await digest_pass(cb.app[SERVICES], the_morning_after(cart.created_at))
    await cb.settled()
    [digest] = await digests_in(cb, OPS_CHANNEL)
    for user, vendor in ((VERA, vera), (VICTOR, victor)):
        totals = stripe_totals(cb, vendor.stripe_account_id)
        assert totals.charges == 1 and f"<@{user}>: {figures(totals)}" in digest["text"]

    # A second cart, withdrawn by its own requester with Reject: nothing is charged.
    before = len(await intent_creates(cb))
    key, view = await open_cart(cb, f"<@{VERA}> 400 <@{VICTOR}> 200 jane@example.com")
    await submit_cart(cb, view)
    [second] = await cb.until(lambda: _requests(cb, exclude=message), what="the second request")
    await cb.slack_sender.block_action(
        "cart_reject", user_id=OPERATOR, message=second, channel_id=OPS_CHANNEL
    )
    rejected = await cb.until(lambda: _cart_with_status(cb, "rejected"), what="the rejection")
    assert [p.status for p in await _parts(cb, rejected.id)] == ["rejected", "rejected"]
    notes = await cb.slack.responses_when(key, count=2, seconds=30)
    assert f"<@{OPERATOR}> rejected cart `{rejected.id}`. Nothing was charged." in notes[-1]["text"]
    assert len(await intent_creates(cb)) == before
    async with cb.sessions() as session:
        audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    decided = [(a.action, a.outcome) for a in audit if a.action.startswith("cart.approve")]
    assert decided[0] == ("cart.approve", "refused") and ("cart.approve", "approved") in decided
    assert decided.count(("cart.approve", "approved")) == 1
    assert [(a.action, a.actor) for a in audit if a.action == "cart.reject"] == [
        ("cart.reject", OPERATOR)
    ]


async def test_approving_a_cart_whose_vendor_left_meanwhile_charges_only_the_others(
    cb: Connectbot,
) -> None:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    # Victor already charged the customer, so his part's request is complete at submission
    # and stored with it, to be sent as it is once approved.
    first = await charge_through_modal(cb, f"<@{VICTOR}> 10 jane@example.com", user=OPERATOR)
    _, view = await open_cart(cb, f"<@{VERA}> 300 <@{VICTOR}> 250 jane@example.com")
    await submit_cart(cb, view)
    [message] = await cb.until(lambda: _requests(cb, exclude={}), what="the approval request")
    [waiting] = [p for p in await rows_by_vendor(cb, victor.id) if p.id != first.id]
    assert waiting.request_params  # stored at submission
    await deauthorized_in_stripe(cb, victor.stripe_account_id)  # Victor leaves meanwhile

    await cb.slack_sender.block_action(
        "cart_approve", user_id=OPERATOR_2, message=message, channel_id=OPS_CHANNEL
    )
    cart = await cart_settled(cb)
    [vera_part] = await rows_by_vendor(cb, vera.id)
    [victor_part] = [p for p in await rows_by_vendor(cb, victor.id) if p.id != first.id]
    assert vera_part.status == "succeeded"
    assert (victor_part.status, victor_part.failure_code) == ("failed", "not_sent")
    assert "disconnected" in str(victor_part.failure_message)
    # Only the connected vendor's part reached Stripe (besides Victor's first charge).
    creates = await intent_creates(cb)
    assert [c["stripe_account"] for c in creates] == [
        victor.stripe_account_id,
        vera.stripe_account_id,
    ]
    assert cart.approved_by == OPERATOR_2


async def _requests(cb: Connectbot, *, exclude: dict[str, Any]) -> list[dict[str, Any]]:
    """Approval requests in the ops channel other than `exclude`."""
    return [
        m
        for m in await cb.slack.messages(OPS_CHANNEL)
        if "Approval needed" in m["text"] and m.get("ts") != exclude.get("ts")
    ]


async def _cart_with_status(cb: Connectbot, status: str) -> Cart | None:
    async with cb.sessions() as session:
        return await session.scalar(select(Cart).where(Cart.status == status))


async def _parts(cb: Connectbot, cart_id: str) -> list[Charge]:
    async with cb.sessions() as session:
        return list((await session.scalars(select(Charge).where(Charge.cart_id == cart_id))).all())
