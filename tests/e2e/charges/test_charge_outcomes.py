"""Each test card's outcome, a double submit, and a Stripe 500 followed by success."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import OutboxMessage
from tests.e2e.charges.test_charge import VENDOR
from tests.e2e.scenario import (
    assert_db_matches_stripe,
    charges_in_db,
    connected_vendor,
    customer_with_card,
    intent_creates,
    open_charge_modal,
    submit,
)
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot

ORIGIN = "C0SALES"


async def outbox(cb: Connectbot) -> list[OutboxMessage]:
    async with cb.sessions() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def charge_with(cb: Connectbot, card: str) -> tuple[str, dict[str, Any]]:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com", card)
    view = await open_charge_modal(
        cb, f"<@{VENDOR}> 25 jane@example.com", user=OPERATOR, channel=ORIGIN
    )
    await submit(cb, view)
    return vendor.stripe_account_id, view


@pytest.mark.parametrize(
    ("card", "code", "reason"),
    [
        ("pm_card_chargeDeclined", "generic_decline", "Your card was declined."),
        (
            "pm_card_visa_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
    ],
)
async def test_a_declined_card_is_told_privately_with_stripes_reason(
    cb: Connectbot, card: str, code: str, reason: str
) -> None:
    account, _ = await charge_with(cb, card)
    [row] = await cb.until(lambda: _rows_with_status(cb, "failed"), what="the charge to fail")
    assert row.failure_code == code and row.failure_message == reason

    # Through the /charge command's response URL, shown to the operator where they typed it.
    [note] = await cb.until(lambda: _private_answers(cb), what="the private decline")
    assert note["response_type"] == "ephemeral"
    assert reason in note["text"] and code in note["text"]
    await cb.stripe.deliver()
    await cb.settled()
    assert [c for c in await cb.posted() if "Charged" in str(c["params"])] == []
    assert len(await _private_answers(cb)) == 1
    assert await _ok_calls(cb, "chat.postEphemeral") == []
    await assert_db_matches_stripe(cb, account)


async def test_a_card_needing_authentication_is_announced_with_what_happens_next(
    cb: Connectbot,
) -> None:
    account, _ = await charge_with(cb, "pm_card_authenticationRequired")
    [row] = await cb.until(lambda: _rows_with_status(cb, "requires_action"), what="requires_action")
    assert row.failure_code == "authentication_required" and row.payment_intent_id
    [message] = await cb.until(
        lambda: cb.posts_mentioning(OPS_CHANNEL, "authenticate"), what="the channel note"
    )
    assert "Nothing was charged" in message["text"] and "/add-customer" in message["text"]
    await cb.stripe.deliver()
    await cb.settled()
    assert len(await cb.posts_mentioning(OPS_CHANNEL, "authenticate")) == 1
    await assert_db_matches_stripe(cb, account)


async def test_a_double_submit_is_one_charge(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}> 40 jane@example.com", user=OPERATOR)
    first, second = await asyncio.gather(submit(cb, view), submit(cb, view))
    assert first.status == second.status == 200
    await submit(cb, view)  # and a Slack retry later
    await cb.until(lambda: _rows_with_status(cb, "succeeded"), what="the charge")
    await cb.settled()
    assert len(await charges_in_db(cb)) == 1
    assert len(await intent_creates(cb)) == 1
    assert len(await cb.until(lambda: cb.posts_mentioning(OPS_CHANNEL, "Charged"))) == 1
    await assert_db_matches_stripe(cb, vendor.stripe_account_id)


async def test_a_stripe_500_is_retried_with_the_same_key(cb: Connectbot) -> None:
    await cb.stripe.fault("POST", "/v1/payment_intents", "500")
    account, _ = await charge_with(cb, "pm_card_visa")
    [row] = await cb.until(
        lambda: _rows_with_status(cb, "succeeded"), timeout=15, what="the charge"
    )
    creates = await intent_creates(cb)
    assert [c["status"] for c in creates] == [500, 200]
    assert {c["idempotency_key"] for c in creates} == {row.idempotency_key}
    assert len(await cb.until(lambda: cb.posts_mentioning(OPS_CHANNEL, "Charged"))) == 1
    await assert_db_matches_stripe(cb, account)


async def test_an_edited_amount_is_charged_and_checked_again(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}> 40 jane@example.com", user=OPERATOR)
    refused = await submit(cb, view, amount="0.10")
    assert refused.json["response_action"] == "errors" and "amount" in refused.json["errors"]
    refused = await submit(cb, view, amount="EUR 10")
    assert "EUR" in refused.json["errors"]["amount"]
    assert await charges_in_db(cb) == []
    shown = await submit(cb, view, amount="55.55")  # its fee was never shown: shown first
    assert shown.json["response_action"] == "update" and "$5.56" in str(shown.json["view"])
    await submit(cb, {**view, **shown.json["view"]}, amount="55.55")
    [row] = await cb.until(lambda: _rows_with_status(cb, "succeeded"), what="the charge")
    assert (row.amount, row.application_fee_amount) == (5555, 556)  # 555.5 rounds half up
    await assert_db_matches_stripe(cb, vendor.stripe_account_id)


async def _rows_with_status(cb: Connectbot, status: str) -> list[Any]:
    return [c for c in await charges_in_db(cb) if c.status == status]


async def _private_answers(cb: Connectbot) -> list[dict[str, Any]]:
    return [r for r in await cb.slack.responses("") if r.get("ok")]


async def _ok_calls(cb: Connectbot, method: str) -> list[dict[str, Any]]:
    return await cb.posted(method)
