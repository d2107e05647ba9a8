"""The fake's balance and payouts of a connected account, through stripe-python."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.testing import StripeFake

from .stripe_helpers import connected_account, direct_charge


def _amounts(entries: Any) -> dict[str, int]:
    return {entry.currency: entry.amount for entry in entries}


async def test_balance_of_a_new_account_is_zero_usd(client: stripe.StripeClient) -> None:
    acct = await connected_account(client)
    balance = await client.v1.balance.retrieve_async(options={"stripe_account": acct})
    assert balance.object == "balance" and balance.livemode is False
    assert _amounts(balance.available) == {"usd": 0}
    assert _amounts(balance.pending) == {"usd": 0}
    assert balance.available[0].source_types is not None


async def test_balance_counts_charges_net_refunds_and_payouts(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, pi = await direct_charge(client, 10000, 1000)
    opts: Any = {"stripe_account": acct}
    await client.v1.refunds.create_async(
        params={"payment_intent": pi.id, "amount": 2000}, options=opts
    )
    net = 10000 - 1000 - 320  # less the application fee and Stripe's fee
    balance = await client.v1.balance.retrieve_async(options=opts)
    assert _amounts(balance.pending) == {"usd": net - 2000}
    assert _amounts(balance.available) == {"usd": 0}
    await stripe_fake.advance_clock(2 * 86400)
    balance = await client.v1.balance.retrieve_async(options=opts)
    assert _amounts(balance.available) == {"usd": net - 2000}
    await stripe_fake.payout(acct, amount=5000, status="in_transit")
    balance = await client.v1.balance.retrieve_async(options=opts)
    assert _amounts(balance.available) == {"usd": net - 2000 - 5000}
    platform = await client.v1.balance.retrieve_async()
    assert _amounts(platform.available) != _amounts(balance.available)


async def test_a_refunded_application_fee_goes_back_to_the_vendors_balance(
    client: stripe.StripeClient,
) -> None:
    """ "Funds will be refunded to the Stripe account from which the fee was originally
    collected" (https://docs.stripe.com/api/fee_refunds/create): a refund of $40.00 with
    refund_application_fee takes $40.00 from the vendor and gives back $4.00 of the fee."""
    acct, pi = await direct_charge(client, 10000, 1000)
    opts: Any = {"stripe_account": acct}
    before = _amounts((await client.v1.balance.retrieve_async(options=opts)).pending)
    platform_before = _amounts((await client.v1.balance.retrieve_async()).pending)
    await client.v1.refunds.create_async(
        params={"payment_intent": pi.id, "amount": 4000, "refund_application_fee": True},
        options=opts,
    )
    after = _amounts((await client.v1.balance.retrieve_async(options=opts)).pending)
    platform_after = _amounts((await client.v1.balance.retrieve_async()).pending)
    assert after["usd"] == before["usd"] - 4000 + 400
    assert platform_after["usd"] == platform_before["usd"] - 400


async def funded_account(client: stripe.StripeClient, stripe_fake: StripeFake) -> str:
    """A connected account with $86.80 available: a $100.00 charge less its $10.00 application
    fee and Stripe's $3.20, two days on."""
    acct, _ = await direct_charge(client, 10000, 1000)
    await stripe_fake.advance_clock(2 * 86400)
    return acct


async def test_payouts_newest_first_filtered_and_scoped(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct = await funded_account(client, stripe_fake)
    other = await funded_account(client, stripe_fake)
    opts: Any = {"stripe_account": acct}
    first = await stripe_fake.payout(acct, amount=1000, status="paid", arrival_date=1_700_000_000)
    await stripe_fake.advance_clock(60)
    second = await stripe_fake.payout(acct, amount=2500, status="in_transit")
    await stripe_fake.payout(other, amount=7)
    payouts = await client.v1.payouts.list_async(options=opts)
    assert [p.id for p in payouts.data] == [second["id"], first["id"]]
    assert payouts.data[0].status == "in_transit" and payouts.data[0].currency == "usd"
    assert payouts.data[1].arrival_date == 1_700_000_000
    paid = await client.v1.payouts.list_async(params={"status": "paid"}, options=opts)
    assert [p.id for p in paid.data] == [first["id"]]
    one = await client.v1.payouts.list_async(params={"limit": 1}, options=opts)
    assert len(one.data) == 1 and one.has_more
    later = await client.v1.payouts.list_async(
        params={"arrival_date": {"gt": 1_700_000_000}}, options=opts
    )
    assert [p.id for p in later.data] == [second["id"]]
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.payouts.list_async(params={"limit": 0}, options=opts)


async def test_a_payout_beyond_the_available_balance_is_refused_as_stripe_does(
    client: stripe.StripeClient, stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    acct, _ = await direct_charge(client, 10000, 1000)
    opts: Any = {"stripe_account": acct}
    url = f"{stripe_fake.url}/_fake/accounts/{acct}/payouts"

    async def refused(body: dict[str, Any]) -> dict[str, Any]:
        async with http.post(url, json=body) as r:
            assert r.status == 400
            error: dict[str, Any] = (await r.json())["error"]
            return error

    # Everything is still pending: nothing can be paid out, not even a cent.
    error = await refused({"amount": 1})
    assert error["type"] == "invalid_request_error" and error["code"] == "balance_insufficient"
    assert error["message"].startswith("Insufficient funds in Stripe account.")
    await stripe_fake.advance_clock(2 * 86400)
    # Available now: exactly the balance goes, one cent more does not; nor another currency.
    await refused({"amount": 8681})
    await refused({"amount": 100, "currency": "eur"})
    await stripe_fake.payout(acct, amount=8000, status="paid")
    await refused({"amount": 681})
    await stripe_fake.payout(acct, amount=680)
    balance = await client.v1.balance.retrieve_async(options=opts)
    assert _amounts(balance.available) == {"usd": 0}
    payouts = await client.v1.payouts.list_async(options=opts)
    assert sorted(p.amount for p in payouts.data) == [680, 8000]  # the refused left nothing


async def test_payout_control_refuses_unknown_account_and_status(
    client: stripe.StripeClient, stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{stripe_fake.url}/_fake/accounts/acct_nope/payouts", json={}) as r:
        assert r.status == 404
    acct = await funded_account(client, stripe_fake)
    for body in ({"status": "lost"}, {"amount": 0}, {"amount": -5}):
        async with http.post(f"{stripe_fake.url}/_fake/accounts/{acct}/payouts", json=body) as r:
            assert r.status == 400, body
