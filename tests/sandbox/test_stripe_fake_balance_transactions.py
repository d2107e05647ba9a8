"""Every balance transaction the fake Stripe makes, read back as Stripe serves them.

A charge, its application fee, a refund with part of the fee refunded (on both accounts), a
payout and its failure, a dispute withdrawn and reinstated: each ``txn_…`` answers
``GET /v1/balance_transactions/{id}`` with the key set of Stripe's own ``balance_transaction``
fixture, and with the sign, fee, net, category and status Stripe gives its type.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.balance_transactions import balance_transaction
from sandbox.stripe_fake.fidelity import check_response
from sandbox.stripe_fake.store import State
from sandbox.stripe_fake.testing import StripeFake

from .stripe_helpers import direct_charge

#: The keys of the ``balance_transaction`` fixture in Stripe's openapi repository
#: (``openapi/fixtures3.json``, ``resources.balance_transaction``), written out here so the test
#: runs wherever the repository is checked out.
FIXTURE_KEYS = {
    "amount",
    "available_on",
    "balance_type",
    "created",
    "currency",
    "description",
    "exchange_rate",
    "fee",
    "fee_details",
    "id",
    "net",
    "object",
    "reporting_category",
    "source",
    "status",
    "type",
}


async def served(
    http: aiohttp.ClientSession, fake: StripeFake, txn_id: str, account: str | None
) -> dict[str, Any]:
    headers = {"Authorization": "Bearer sk_test_fake"}
    if account:
        headers["Stripe-Account"] = account
    async with http.get(f"{fake.url}/v1/balance_transactions/{txn_id}", headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body


async def test_every_balance_transaction_has_stripes_fields_sign_and_category(
    stripe_fake: StripeFake, client: stripe.StripeClient, http: aiohttp.ClientSession
) -> None:
    account, intent = await direct_charge(client, 10000, 1000)
    opts: Any = {"stripe_account": account}
    charge = str(intent.latest_charge)
    await client.v1.refunds.create_async(
        params={"charge": charge, "amount": 4000, "refund_application_fee": True}, options=opts
    )
    await stripe_fake.advance_clock(2 * 86400)
    payout = await stripe_fake.payout(account, amount=1000, status="in_transit")
    await stripe_fake.settle_payout(account, payout["id"], "failed", "account_closed")
    dispute = await stripe_fake.dispute(charge, amount=6000)
    await stripe_fake.progress_dispute(dispute["id"], "won")

    held = {
        owner: [t["id"] for t in stripe_fake.held("balance_transaction", owner)]
        for owner in (None, account)
    }
    every = [o for o in stripe_fake.everything().values() if o["object"] == "balance_transaction"]
    assert len(every) == len(held[None]) + len(held[account]) == 9
    found: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for owner, txn_ids in held.items():
        for txn_id in txn_ids:
            txn = await served(http, stripe_fake, txn_id, owner)
            assert set(txn) == FIXTURE_KEYS, f"{txn['type']}: {sorted(set(txn) ^ FIXTURE_KEYS)}"
            assert check_response(txn) == []
            assert txn["net"] == txn["amount"] - txn["fee"]
            assert txn["fee"] == sum(d["amount"] for d in txn["fee_details"])
            assert txn["balance_type"] == "payments"
            # Two days on, every transaction's funds have come (the charge's were pending).
            assert txn["status"] == "available"
            found[(txn["type"], txn["reporting_category"], owner)] = txn

    vendor, platform = account, None
    assert {key: (t["amount"], t["fee"], t["net"]) for key, t in found.items()} == {
        ("charge", "charge", vendor): (10000, 1320, 8680),
        ("application_fee", "platform_earning", platform): (1000, 0, 1000),
        ("refund", "refund", vendor): (-4000, 0, -4000),
        ("application_fee_refund", "platform_earning_refund", platform): (-400, 0, -400),
        ("application_fee_refund", "fee", vendor): (400, 0, 400),
        ("payout", "payout", vendor): (-1000, 0, -1000),
        ("payout_failure", "payout_reversal", vendor): (1000, 0, 1000),
        ("adjustment", "dispute", vendor): (-6000, 1500, -7500),
        ("adjustment", "dispute_reversal", vendor): (6000, 0, 6000),
    }
    charged = found[("charge", "charge", vendor)]
    assert charged["source"] == charge
    assert charged["available_on"] == charged["created"] + 2 * 86400
    assert [d["type"] for d in charged["fee_details"]] == ["stripe_fee", "application_fee"]
    assert found[("payout", "payout", vendor)]["source"] == payout["id"]
    assert found[("adjustment", "dispute", vendor)]["source"] == dispute["id"]


async def test_a_charges_funds_are_pending_until_their_day(
    stripe_fake: StripeFake, client: stripe.StripeClient
) -> None:
    account, intent = await direct_charge(client, 5000, 500)
    opts: Any = {"stripe_account": account}
    charge = await client.v1.charges.retrieve_async(str(intent.latest_charge), options=opts)
    txn_id = str(charge.balance_transaction)
    txn = await client.v1.balance_transactions.retrieve_async(txn_id, options=opts)
    assert txn.status == "pending" and txn.available_on == txn.created + 2 * 86400
    await stripe_fake.advance_clock(2 * 86400)
    txn = await client.v1.balance_transactions.retrieve_async(txn_id, options=opts)
    assert txn.status == "available"


@pytest.mark.parametrize(
    ("type_", "amount"),
    [
        ("charge", -100),  # a charge brings money in
        ("refund", 100),  # a refund sends it out
        ("payout", 100),
        ("payout_failure", -100),
        ("application_fee", -100),
        ("adjustment", -100),  # an adjustment must say what it is
        ("transfer", 100),  # a type the fake never makes
        ("charge", 0),
    ],
)
def test_the_builder_refuses_a_transaction_stripe_would_never_make(type_: str, amount: int) -> None:
    with pytest.raises(ValueError):
        balance_transaction(
            State(),
            None,
            type_=type_,
            amount=amount,
            currency="usd",
            source="ch_x",
        )
