"""A Stripe object deleted behind connectbot's back: the reply says what is missing and that
retrying will not help, never "try again shortly"."""

from __future__ import annotations

from tests.e2e.customers.test_customers import _with_card, add_and_pay, private_reply
from tests.fidelity import assert_stripe_requests_faithful
from tests.harness import OPERATOR, Connectbot


async def test_a_customer_deleted_in_the_dashboard_is_named_not_retried(cb: Connectbot) -> None:
    await add_and_pay(cb, "carol@example.com Carol Customer")
    await cb.stripe.deliver()
    row = await cb.until(lambda: _with_card(cb, "carol@example.com"), what="the card on file")
    deleted = await cb.stripe._call(
        "POST", f"/_fake/customers/{row.stripe_customer_id}/dashboard_delete"
    )
    assert deleted == {"id": row.stripe_customer_id, "object": "customer", "deleted": True}

    sent = await cb.slack_sender.command("/add-customer", "carol@example.com", user_id=OPERATOR)
    text = (await private_reply(cb, sent.response_key))["text"]

    assert f"No such customer: '{row.stripe_customer_id}'" in text, text
    assert "deleted in the Stripe Dashboard" in text and "retrying will not help" in text
    assert "try again shortly" not in text
    await assert_stripe_requests_faithful(cb.stripe)
