"""A vendor disconnected and connected again with another Stripe account (found by make chaos).

Customers shared with the old account live there, so the next charge shares afresh onto the new
one; a refund of a charge made before goes to the account that charge was made on.
"""

from __future__ import annotations

from bot.services import SERVICES
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.vendors.test_onboarding import authorize, link_for
from tests.harness import OPERATOR, Connectbot

VENDOR = "U0VENDORNEW"


async def test_a_vendor_on_a_new_account_gets_fresh_shares_and_old_refunds_go_to_the_old(
    cb: Connectbot,
) -> None:
    old = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    first = await charge_through_modal(cb, f"<@{VENDOR}|v> 20.00 jane@example.com", user=OPERATOR)
    assert first.status == "succeeded"

    # The vendor revokes the platform's access in their Stripe Dashboard.
    async with cb.http.post(
        f"{cb.stripe.url}/oauth/deauthorize",
        data={"client_id": "ca_connectbot", "stripe_user_id": old.stripe_account_id},
        headers={"Authorization": "Bearer sk_test_connectbot"},
    ) as resp:
        assert resp.status == 200, await resp.text()
    await cb.settled()
    # Connected again: the fake Stripe makes a new account (no email to match an old one).
    status = await cb.get((await authorize(cb, await link_for(cb, VENDOR))).removeprefix(cb.url))
    assert status[0] == 200, status
    api = cb.app[SERVICES].stripe.api.v1
    await cb.settled()

    second = await charge_through_modal(cb, f"<@{VENDOR}|v> 30.00 jane@example.com", user=OPERATOR)
    assert second.status == "succeeded"
    new_account = (second.request_params or {})["stripe_account"]
    assert new_account != old.stripe_account_id
    intent = await api.payment_intents.retrieve_async(
        str(second.payment_intent_id), options={"stripe_account": new_account}
    )
    assert intent.amount == 3000  # shared afresh onto the new account, charged there

    log_before = len(await cb.stripe.requests())
    await cb.slack_sender.command("/refund", f"{first.id} 5.00", user_id=OPERATOR)
    await cb.settled()
    refunds = [
        r
        for r in (await cb.stripe.requests())[log_before:]
        if r["method"] == "POST" and r["path"] == "/v1/refunds"
    ]
    # The old charge's refund goes to the account it was made on (which has revoked access).
    assert [r["stripe_account"] for r in refunds] == [old.stripe_account_id]
