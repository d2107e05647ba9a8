"""/charge end to end: command → modal → submit → one PaymentIntent → one announcement."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, OutboxMessage
from tests.e2e.scenario import (
    assert_db_matches_stripe,
    charges_in_db,
    connected_vendor,
    customer_with_card,
    modal_inputs,
    open_charge_modal,
    submit,
)
from tests.harness import OPERATOR, OPS_CHANNEL, Connectbot

VENDOR = "U0VENDOR1"


async def test_charge_100_opens_modal_and_charges_once_with_the_fee(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    customer = await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}|vendor> 100.00 jane@example.com", user=OPERATOR)

    text = str(view["blocks"])
    assert "platform fee $10.00 · vendor receives $90.00 before Stripe fees" in text
    assert modal_inputs(view) == {
        "amount": "100.00",
        "currency": "usd",
        "customer": str(customer.id),
    }

    reply = await submit(cb, view)
    assert reply.status == 200 and not reply.body  # the modal closes

    posted = await cb.until(
        lambda: cb.posts_mentioning(OPS_CHANNEL, "Charged"), what="the confirmation"
    )
    [message] = posted
    assert "$100.00" in message["text"] and "Visa •••• 4242" in message["text"]
    assert "platform fee $10.00" in message["text"] and "vendor receives $90.00" in message["text"]

    [row] = await charges_in_db(cb)
    assert (row.status, row.amount, row.application_fee_amount) == ("succeeded", 10000, 1000)
    assert row.idempotency_key == f"charge:{view['id']}"
    assert row.id.startswith("cb_ch_") and str(row.payment_intent_id) in str(message)

    creates = [
        r
        for r in await cb.stripe.requests()
        if r["method"] == "POST" and r["path"] == "/v1/payment_intents"
    ]
    [create] = creates
    assert create["stripe_account"] == vendor.stripe_account_id
    assert create["idempotency_key"] == row.idempotency_key
    params = create["params"]
    assert params["application_fee_amount"] == "1000" and params["amount"] == "10000"
    assert params["off_session"] == "true" and params["confirm"] == "true"
    assert params["metadata"] == {"connectbot_charge_id": row.id, "requested_by": OPERATOR}
    await assert_db_matches_stripe(cb, vendor.stripe_account_id)

    # The webhook arrives too: still exactly one announcement, and the vendor got one DM.
    await cb.events_handled()
    assert len(await cb.posts_mentioning(OPS_CHANNEL, "Charged")) == 1
    async with cb.sessions() as session:
        dms = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dm"))).all()
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert [m.target for m in dms] == [VENDOR]
    # The vendor's copy has no Refund button (only operators refund); the channel's has one.
    assert "actions" not in str([b["type"] for b in dms[0].payload["blocks"]])
    assert "refund_open" in str(message["blocks"])
    assert "charge.request" in actions and "charge.settle" in actions
