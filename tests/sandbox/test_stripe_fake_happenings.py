"""The fake Stripe's events for what happens outside the API: a payout failing, a dispute's life,
an early fraud warning, a capability changing, requirements coming due, a card expiring, a
payment taken in the vendor's Dashboard, a PaymentIntent canceled.

Each event's object has every field Stripe's fixture of that resource has
(/work/wt/shared/specs/stripe-fixtures3.json, Stripe's OpenAPI repository) and no field
stripe-python does not declare (`check_response`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.fidelity import check_response
from sandbox.stripe_fake.testing import StripeFake

from .stripe_helpers import connected_account, customer_with_card, direct_charge

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "stripe-fixtures3.json"


@functools.cache
def fixture_fields(resource: str) -> set[str]:
    if not FIXTURES.exists():
        pytest.skip(f"{FIXTURES} is absent")
    return set(json.loads(FIXTURES.read_text())["resources"][resource])


def assert_faithful(event: dict[str, Any], resource: str) -> None:
    obj = event["data"]["object"]
    # Fields of newer API versions than the fake renders (enhanced evidence, payout_method,
    # trace ids) are not every object's; the rest must all be there.
    newer = {
        "enhanced_eligibility_types",
        "payout_method",
        "trace_id",
        "regulated_status",
        "future_requirements",
    }
    missing = fixture_fields(resource) - set(obj) - newer
    assert not missing, f"{event['type']}: {resource} lacks {sorted(missing)}"
    assert check_response(obj) == []
    assert set(fixture_fields("event")) - {"api_version"} <= set(event)


def of_type(events: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == type_]


async def test_a_dispute_lives_withdrawn_reviewed_won_reinstated(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    account, intent = await direct_charge(client, 5000, 500)
    dispute = await stripe_fake.dispute(str(intent.latest_charge))
    assert dispute["status"] == "needs_response"
    await stripe_fake.progress_dispute(dispute["id"], "under_review")
    won = await stripe_fake.progress_dispute(dispute["id"], "won")
    events = [e for e in await stripe_fake.events() if e["type"].startswith("charge.dispute")]
    assert [e["type"] for e in events] == [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
    ]
    assert all(e["account"] == account for e in events)
    for event in events:
        assert_faithful(event, "dispute")
    withdrawn, reinstated = won["balance_transactions"]
    assert (withdrawn["amount"], withdrawn["fee"], withdrawn["net"]) == (-5000, 1500, -6500)
    assert (reinstated["amount"], reinstated["net"]) == (5000, 5000)
    assert events[2]["data"]["previous_attributes"] == {"status": "needs_response"}
    assert won["status"] == "won" and won["evidence_details"]["submission_count"] == 1
    with pytest.raises(Exception, match="400"):
        await stripe_fake.progress_dispute(dispute["id"], "lost")  # already closed


async def test_control_routes_answer_404_for_no_such_object_of_their_kind(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    _, intent = await direct_charge(client, 5000, 500)
    charge = str(intent.latest_charge)
    attempts = [
        stripe_fake.progress_dispute("dp_missing", "won"),
        stripe_fake.progress_dispute(charge, "won"),  # a charge is not a dispute
        stripe_fake.early_fraud_warning("ch_missing", "misc"),
        stripe_fake.early_fraud_warning(str(intent.id), "misc"),  # nor an intent a charge
        stripe_fake.payout("acct_missing", amount=100, status="in_transit"),
    ]
    for attempt in attempts:
        with pytest.raises(aiohttp.ClientResponseError) as refused:
            await attempt
        assert refused.value.status == 404
    assert not [e for e in await stripe_fake.events() if "dispute" in e["type"]]


async def test_an_inquiry_moves_no_funds_and_closes_as_a_warning(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    _, intent = await direct_charge(client, 5000, 500)
    inquiry = await stripe_fake.dispute(str(intent.latest_charge), inquiry=True)
    closed = await stripe_fake.progress_dispute(inquiry["id"], "won")
    types = [e["type"] for e in await stripe_fake.events() if "dispute" in e["type"]]
    assert types == ["charge.dispute.created", "charge.dispute.closed"]
    assert closed["status"] == "warning_closed" and closed["balance_transactions"] == []


async def test_a_payout_fails_with_stripes_code_and_message_and_returns_to_the_balance(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    account, _ = await direct_charge(client, 10000, 1000)
    await stripe_fake.advance_clock(2 * 86400)  # the charge's funds become available
    payout = await stripe_fake.payout(account, amount=7000, status="in_transit")
    failed = await stripe_fake.settle_payout(account, payout["id"], "failed", "account_closed")
    assert failed["failure_code"] == "account_closed"
    assert failed["failure_message"] == "The bank account has been closed."
    reversal = await client.v1.balance_transactions.retrieve_async(
        failed["failure_balance_transaction"], options={"stripe_account": account}
    )
    assert (reversal.amount, reversal.type) == (7000, "payout_failure")
    [event] = of_type(await stripe_fake.events(), "payout.failed")
    assert event["account"] == account
    assert_faithful(event, "payout")
    paid = await stripe_fake.payout(account, amount=100, status="in_transit")
    await stripe_fake.settle_payout(account, paid["id"], "paid")
    assert [e["data"]["object"]["id"] for e in of_type(await stripe_fake.events(), "payout.paid")]
    with pytest.raises(Exception, match="400"):
        await stripe_fake.settle_payout(account, payout["id"], "failed", "no_such_code")


async def test_an_early_fraud_warning_names_the_charge_on_its_account(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    account, intent = await direct_charge(client, 5000, 500)
    warning = await stripe_fake.early_fraud_warning(
        str(intent.latest_charge), "made_with_lost_card"
    )
    assert warning["id"].startswith("issfr_") and warning["actionable"] is True
    [event] = of_type(await stripe_fake.events(), "radar.early_fraud_warning.created")
    assert event["account"] == account and event["data"]["object"]["charge"] == intent.latest_charge
    assert_faithful(event, "radar.early_fraud_warning")


async def test_capabilities_and_requirements_change_with_their_events(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    account = await connected_account(client)
    await stripe_fake.set_account(
        account,
        requirements={
            "past_due": ["external_account"],
            "currently_due": ["individual.id_number"],
            "current_deadline": 1_900_000_000,
        },
    )
    capability = await stripe_fake.set_capability(account, "card_payments", "inactive")
    fresh = await client.v1.accounts.retrieve_async(account)
    assert fresh.requirements is not None
    assert fresh.requirements.currently_due == ["external_account", "individual.id_number"]
    assert fresh.requirements.eventually_due == ["external_account", "individual.id_number"]
    assert fresh.requirements.current_deadline == 1_900_000_000
    assert capability["status"] == "inactive" and capability["account"] == account
    [event] = of_type(await stripe_fake.events(), "capability.updated")
    assert_faithful(event, "capability")
    updated = of_type(await stripe_fake.events(), "account.updated")
    assert "requirements" in updated[0]["data"]["previous_attributes"]
    assert updated[-1]["data"]["object"]["capabilities"]["card_payments"] == "inactive"


async def test_a_card_about_to_expire_is_announced_as_a_card_source(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    customer, method = await customer_with_card(client)
    await client.v1.customers.update_async(
        customer, params={"invoice_settings": {"default_payment_method": method}}
    )
    card = await stripe_fake.source_expiring(customer)
    [event] = of_type(await stripe_fake.events(), "customer.source.expiring")
    assert "account" not in event  # the platform's own customer
    assert card["id"].startswith("card_") and card["customer"] == customer
    assert (card["brand"], card["last4"]) == ("Visa", "4242")
    assert_faithful(event, "card")


async def test_a_dashboard_payment_declines_without_fee_or_metadata_and_can_be_canceled(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    account = await connected_account(client)
    intent = await stripe_fake.dashboard_charge(
        account, amount=2500, card="pm_card_chargeDeclined", description="Counter sale"
    )
    assert intent["status"] == "requires_payment_method"
    assert intent["metadata"] == {} and intent["application_fee_amount"] is None
    [failed] = of_type(await stripe_fake.events(), "charge.failed")
    assert failed["account"] == account
    assert failed["data"]["object"]["failure_code"] == "card_declined"
    canceled = await client.v1.payment_intents.cancel_async(
        intent["id"],
        params={"cancellation_reason": "abandoned"},
        options={"stripe_account": account},
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    [event] = of_type(await stripe_fake.events(), "payment_intent.canceled")
    assert_faithful(event, "payment_intent")
    with pytest.raises(stripe.InvalidRequestError, match="status of canceled") as refused:
        await client.v1.payment_intents.cancel_async(
            intent["id"], options={"stripe_account": account}
        )
    assert refused.value.code == "payment_intent_unexpected_state"
