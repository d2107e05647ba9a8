"""Split carts end to end: one direct charge per vendor on its own account, one cart
confirmation in the channel, each vendor only their part; a part declined, then retried by the
button (double-clicked), charged exactly once."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.reconcile import reconcile_pending
from bot.services import SERVICES
from storage.models import AuditEntry, Cart, Vendor
from tests.e2e.carts.cart_steps import (
    CART_TEXT,
    VERA,
    VICTOR,
    VICTOR_CHANNEL,
    buttons,
    cart_settled,
    charge_rows_as_written,
    open_cart,
    queued,
    rows_by_vendor,
    submit_cart,
    the_cart,
)
from tests.e2e.scenario import connected_vendor, customer_with_card, intent_creates
from tests.harness import OPERATOR, OPERATOR_2, OPS_CHANNEL, Connectbot

RETRIES = 3  # the first try and the client's two retries


async def test_a_part_declined_stands_apart_and_one_retry_charges_it_once(cb: Connectbot) -> None:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR, channel_id=VICTOR_CHANNEL)
    await customer_with_card(cb, "jane@example.com")
    # Victor's bank-side luck runs out: the issuer declines the next payment on his account.
    await cb.stripe.fault(
        "POST", "/v1/payment_intents", "decline", account=victor.stripe_account_id
    )

    key, view = await open_cart(cb)
    shown = str(view["blocks"])
    assert f"<@{VERA}>: $60.00 · platform fee $6.00 · vendor receives $54.00" in shown
    assert f"<@{VICTOR}>: $40.00 · platform fee $4.00 · vendor receives $36.00" in shown
    assert "Total $100.00* · platform fees $10.00 · vendors receive $90.00" in shown
    await submit_cart(cb, view)
    await submit_cart(cb, view)  # a double submit is the same cart
    cart = await cart_settled(cb)
    assert (cart.amount, cart.application_fee_amount, cart.currency) == (10000, 1000, "usd")
    assert cart.description == "order #1042" and cart.id.startswith("cb_cart_")

    # One PaymentIntent per vendor, on the vendor's own account, each under its own key.
    creates = await intent_creates(cb)
    assert sorted(c["stripe_account"] for c in creates) == sorted(
        [vera.stripe_account_id, victor.stripe_account_id]
    )
    for create, vendor, amount, fee in (
        (creates[0], vera, "6000", "600"),
        (creates[1], victor, "4000", "400"),
    ):
        assert create["stripe_account"] == vendor.stripe_account_id
        assert create["idempotency_key"] == f"cart:{view['id']}:{vendor.id}"
        params = create["params"]
        assert (params["amount"], params["application_fee_amount"]) == (amount, fee)
        assert params["metadata"]["connectbot_cart_id"] == cart.id
        assert params["description"] == "order #1042"
    [vera_row] = await rows_by_vendor(cb, vera.id)
    [victor_first] = await rows_by_vendor(cb, victor.id)
    assert (vera_row.status, vera_row.cart_id) == ("succeeded", cart.id)
    assert (victor_first.status, victor_first.failure_code) == ("failed", "generic_decline")

    # The requester is told privately which part went through and which did not, and why.
    [report] = await cb.until(lambda: cb.slack.responses(key), what="the cart report")
    assert "1 of 2 parts charged" in report["text"]
    assert "Your card was declined" in str(report["blocks"]) and buttons(report) == [
        "cart_retry_failed"
    ]
    await cb.settled()
    [summary] = await cb.posts_mentioning(OPS_CHANNEL, cart.id)
    assert "charged $60.00" in summary["text"] and "1 of 2 vendors" in summary["text"]

    # Double-click "Retry failed parts": one new attempt for the declined part only.
    with charge_rows_as_written() as written:
        clicks = await asyncio.gather(
            cb.slack_sender.block_action("cart_retry_failed", user_id=OPERATOR_2, message=report),
            cb.slack_sender.block_action("cart_retry_failed", user_id=OPERATOR_2, message=report),
        )
        assert all(c.status == 200 for c in clicks)
        cart = await cart_settled(cb, rounds=2)
    await cb.settled()
    vera_rows = await rows_by_vendor(cb, vera.id)
    victor_rows = await rows_by_vendor(cb, victor.id)
    assert [r.status for r in vera_rows] == ["succeeded"]
    assert [r.status for r in victor_rows] == ["failed", "succeeded"]
    assert victor_rows[1].idempotency_key == f"cart:{view['id']}:{victor.id}:retry:2"
    creates = await intent_creates(cb)
    assert [c["idempotency_key"] for c in creates[2:]] == [victor_rows[1].idempotency_key]
    # The retry's row is written as a first attempt's is (add_charge_row): the same terms,
    # and the same request (now the customer is shared, stored with the row) but for its own
    # charge id in the metadata; exactly what was sent.
    retried = victor_rows[1]
    same_terms = (
        "team_id vendor_id customer_id cart_id amount currency application_fee_amount "
        "description requested_by approved_by origin_channel_id response_url"
    ).split()
    assert {f: getattr(retried, f) for f in same_terms} == {
        f: getattr(victor_first, f) for f in same_terms
    }
    expected = copy.deepcopy(victor_first.request_params)
    assert expected is not None
    expected["params"]["metadata"]["connectbot_charge_id"] = retried.id
    assert retried.request_params == expected
    assert written[retried.idempotency_key]["request_params"] == expected  # with the row
    assert expected["params"]["metadata"]["connectbot_cart_id"] == cart.id
    sent = creates[2]["params"]
    assert (sent["amount"], sent["application_fee_amount"]) == ("4000", "400")
    assert sent["metadata"] == expected["params"]["metadata"]

    # The channel's one cart confirmation, edited to the whole cart charged.
    [summary] = await cb.posts_mentioning(OPS_CHANNEL, cart.id)
    assert "charged $100.00" in summary["text"] and "2 of 2 vendors" in summary["text"]
    assert "platform fees $10.00 · vendors receive $90.00" in str(summary["blocks"])
    # Each part's PaymentIntent links to its page on the vendor's account (test mode).
    victor_pi = victor_rows[1].payment_intent_id
    link = f"https://dashboard.stripe.com/{victor.stripe_account_id}/test/payments/{victor_pi}"
    assert f"<{link}|{victor_pi}>" in str(summary["blocks"])
    # Each vendor sees only their own part: Vera by DM, Victor by DM and in his channel.
    [vera_dm] = await queued(cb, "dm", VERA)
    assert "$60.00" in vera_dm["text"] and "$40.00" not in vera_dm["text"]
    assert buttons(vera_dm) == []  # only operators refund: no button in a vendor's own copy
    [victor_dm] = await queued(cb, "dm", VICTOR)
    [victor_post] = await cb.slack.messages(VICTOR_CHANNEL)
    for seen in (victor_dm["text"], victor_post["text"]):
        assert "$40.00" in seen and "$60.00" not in seen
    assert [m["text"] for m in await cb.slack.messages(OPS_CHANNEL)] == [summary["text"]]
    # A late click finds nothing to retry.
    late = await cb.slack_sender.block_action("cart_retry_failed", user_id=OPERATOR, message=report)
    [note] = await cb.until(lambda: cb.slack.responses(str(late.response_key)), what="note")
    assert "no failed part" in note["text"]
    async with cb.sessions() as session:
        audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    actions = [(a.action, a.outcome, a.actor) for a in audit if a.action.startswith("cart.")]
    assert actions == [("cart.request", "pending", OPERATOR), ("cart.retry", "pending", OPERATOR_2)]
    assert CART_TEXT  # the text the operator typed (shared with the other cart tests)

    # A second cart for Jane, now shared with both vendors: each part's request is stored when
    # the cart is, before Stripe is called, and names its cart too.
    _, again = await open_cart(cb, f"<@{VERA}> 5.00 <@{VICTOR}> 7.00 jane@example.com")
    await submit_cart(cb, again)

    async def second_creates() -> list[dict[str, Any]]:
        made = [c for c in await intent_creates(cb) if f":{again['id']}:" in c["idempotency_key"]]
        return made if len(made) == 2 else []

    creates = await cb.until(second_creates, what="the second cart's PaymentIntents")
    async with cb.sessions() as session:
        key = f"cart:{again['id']}"
        second = await session.scalar(select(Cart).where(Cart.idempotency_key == key))
    assert second is not None
    assert [c["params"]["metadata"]["connectbot_cart_id"] for c in creates] == [second.id] * 2


async def test_a_part_stripe_never_answered_is_reconciled_with_its_own_key(cb: Connectbot) -> None:
    """Vera's part is declined, Victor's reaches Stripe but every answer is lost: the cart
    waits; the reconciler replays Victor's part under its original key while his webhooks
    arrive too; the cart settles once, with one confirmation; then the retry charges Vera."""
    await cb.stripe.webhook_rules(hold="all")
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    await cb.stripe.fault("POST", "/v1/payment_intents", "decline", account=vera.stripe_account_id)
    await cb.stripe.fault(
        "POST", "/v1/payment_intents", "drop", count=RETRIES, account=victor.stripe_account_id
    )
    key, view = await open_cart(cb)
    await submit_cart(cb, view)

    async def waiting() -> bool:
        [vera_row] = await rows_by_vendor(cb, vera.id)
        [victor_row] = await rows_by_vendor(cb, victor.id)
        return vera_row.status == "failed" and victor_row.attempts > 0

    await cb.until(waiting, what="one part declined, the other without an answer")
    assert (await the_cart(cb)).status == "pending"
    await cb.settled()
    assert await cb.posts_mentioning(OPS_CHANNEL, "Cart") == []  # nothing settled yet

    await cb.stripe.release_webhooks()
    await asyncio.gather(
        reconcile_pending(cb.app[SERVICES], grace=timedelta(0)), cb.events_handled()
    )
    cart = await cart_settled(cb)
    await cb.settled()
    victor_keys = {
        c["idempotency_key"]
        for c in await intent_creates(cb)
        if c["stripe_account"] == victor.stripe_account_id
    }
    assert victor_keys == {f"cart:{view['id']}:{victor.id}"}
    [summary] = await cb.posts_mentioning(OPS_CHANNEL, cart.id)
    assert "charged $40.00" in summary["text"] and "1 of 2 vendors" in summary["text"]
    # Privately: Victor's part is late (told once), then the cart's report.
    delayed, report = await cb.slack.responses_when(key, count=2, seconds=30)
    assert "hasn't confirmed the charge of $40.00" in delayed["text"]
    assert "1 of 2 parts charged" in report["text"] and buttons(report) == ["cart_retry_failed"]

    await cb.slack_sender.block_action("cart_retry_failed", user_id=OPERATOR, message=report)
    await cart_settled(cb, rounds=2)
    await cb.settled()
    assert [r.status for r in await rows_by_vendor(cb, vera.id)] == ["failed", "succeeded"]
    assert [r.status for r in await rows_by_vendor(cb, victor.id)] == ["succeeded"]
    [summary] = await cb.posts_mentioning(OPS_CHANNEL, cart.id)
    assert "charged $100.00" in summary["text"]


async def test_a_retried_part_of_a_vendor_disconnected_since_never_reaches_stripe(
    cb: Connectbot,
) -> None:
    """Victor's part is declined, then he disconnects: the retry records his part `failed`
    without a request (none stored with the row, none sent), as any charge to him is refused."""
    await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    await cb.stripe.fault(
        "POST", "/v1/payment_intents", "decline", account=victor.stripe_account_id
    )
    key, view = await open_cart(cb)
    await submit_cart(cb, view)
    await cart_settled(cb)
    [report] = await cb.until(lambda: cb.slack.responses(key), what="the cart report")
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Vendor).where(Vendor.id == victor.id).values(status="disconnected")
        )
    sent_before = len(await intent_creates(cb))
    await cb.slack_sender.block_action("cart_retry_failed", user_id=OPERATOR, message=report)
    await cart_settled(cb, rounds=2)
    await cb.settled()
    _, retried = await rows_by_vendor(cb, victor.id)
    assert (retried.status, retried.failure_code) == ("failed", "not_sent")
    assert retried.request_params is None
    assert len(await intent_creates(cb)) == sent_before
