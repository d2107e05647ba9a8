"""The fake Stripe driven by the real stripe-python client."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stripe
from aiohttp import web

from sandbox.stripe_fake.fidelity import check_openapi, check_request, check_response, match_route
from sandbox.stripe_fake.testing import StripeFake, running_stripe_fake

from .stripe_helpers import (
    connected_account,
    customer_with_card,
    direct_charge,
    setup_session,
    stripe_client,
    sync_client,
)

SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"


async def test_auth_required(stripe_fake: StripeFake) -> None:
    async with stripe_client(stripe_fake.url, key="pk_test_nope") as c:
        with pytest.raises(stripe.AuthenticationError):
            await c.v1.customers.create_async(params={})


async def test_scoping_404_across_accounts(client: stripe.StripeClient) -> None:
    acct = await connected_account(client)
    other = await connected_account(client)
    cus = await client.v1.customers.create_async(params={}, options={"stripe_account": acct})
    for opts in ({}, {"stripe_account": other}):
        with pytest.raises(stripe.InvalidRequestError) as err:
            await client.v1.customers.retrieve_async(cus.id, options=opts)  # type: ignore[arg-type]
        assert err.value.http_status == 404
        assert err.value.code == "resource_missing"
        assert err.value.user_message == f"No such customer: '{cus.id}'"
    same = await client.v1.customers.retrieve_async(cus.id, options={"stripe_account": acct})
    assert same.id == cus.id


async def test_idempotency_replay_and_mismatch(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    opts: Any = {"idempotency_key": "key-1"}
    first = await client.v1.customers.create_async(params={"email": "a@x.io"}, options=opts)
    again = await client.v1.customers.create_async(params={"email": "a@x.io"}, options=opts)
    assert again.id == first.id
    assert again.last_response is not None
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert len((await client.v1.customers.list_async()).data) == 1
    with pytest.raises(stripe.IdempotencyError) as err:
        await client.v1.customers.create_async(params={"email": "b@x.io"}, options=opts)
    assert err.value.http_status == 400


async def test_unknown_parameter_refused(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        bad: Any = {"emial": "x"}
        await client.v1.customers.create_async(params=bad)
    assert err.value.code == "parameter_unknown"
    assert err.value.param == "emial"
    assert "Received unknown parameter: emial" in str(err.value.user_message)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.payment_intents.create_async(params={"amount": "ten", "currency": "usd"})  # type: ignore[typeddict-item]
    assert err.value.param == "amount"


def test_check_request_and_response_directly() -> None:
    assert (
        check_request(
            "POST",
            "/v1/payment_intents",
            {"amount": "5", "currency": "usd", "metadata": {"a": "b"}},
        )
        == []
    )
    problems = check_request("POST", "/v1/refunds", {"charge": "ch_1", "card": {"x": "1"}})
    assert problems == ["Received unknown parameter: card"]
    assert check_request(
        "POST", "/v1/payment_intents", {"amount": "5", "currency": "usd", "confirm": "yes"}
    )
    assert check_response({"object": "customer", "id": "cus_1", "bogus": 1}) != []
    assert check_response({"object": "customer", "id": "cus_1", "email": None}) == []


@pytest.mark.parametrize(
    ("pm", "code", "decline"),
    [
        ("pm_card_visa", None, None),
        ("pm_card_mastercard", None, None),
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_authenticationRequired", "authentication_required", "authentication_required"),
    ],
)
async def test_test_payment_methods(
    client: stripe.StripeClient, pm: str, code: str | None, decline: str | None
) -> None:
    cus, card = await customer_with_card(client, pm)
    params: Any = {
        "amount": 2000,
        "currency": "usd",
        "customer": cus,
        "payment_method": card,
        "confirm": True,
        "off_session": True,
    }
    if code is None:
        pi = await client.v1.payment_intents.create_async(params=params)
        assert pi.status == "succeeded"
        return
    with pytest.raises(stripe.CardError) as err:
        await client.v1.payment_intents.create_async(params=params)
    assert err.value.http_status == 402
    assert err.value.code == code
    assert err.value.error is not None
    assert err.value.error.decline_code == decline
    assert err.value.error.payment_intent is not None
    assert err.value.error.payment_intent["status"] == "requires_payment_method"


@pytest.mark.parametrize(
    ("number", "outcome"),
    [
        ("4242424242424242", "succeeded"),
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
        ("4000002500003155", "authentication_required"),
    ],
)
async def test_card_numbers_through_checkout(
    client: stripe.StripeClient, stripe_fake: StripeFake, number: str, outcome: str
) -> None:
    cus = await client.v1.customers.create_async(params={"email": "c@x.io"})
    session = await client.v1.checkout.sessions.create_async(
        params={
            "mode": "setup",
            "customer": cus.id,
            "currency": "usd",
            "success_url": "https://shop.example/ok?cs={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://shop.example/cancel",
        }
    )
    assert session.url == f"{stripe_fake.url}/checkout/pay/{session.id}"
    async with aiohttp.ClientSession() as http:
        async with http.get(session.url, allow_redirects=False) as page:
            assert page.status == 200
            assert "Card number" in await page.text()
        async with http.get(
            session.url, params={"sandbox_card": number}, allow_redirects=False
        ) as done:
            assert done.status == 303
            assert done.headers["Location"] == f"https://shop.example/ok?cs={session.id}"
    session = await client.v1.checkout.sessions.retrieve_async(
        session.id, params={"expand": ["setup_intent"]}
    )
    assert session.status == "complete"
    seti: Any = session.setup_intent
    assert seti.status == "succeeded"
    methods = await client.v1.customers.payment_methods.list_async(cus.id)
    assert [m.id for m in methods.data] == [seti.payment_method]
    assert methods.data[0].card is not None and methods.data[0].card.last4 == number[-4:]
    params: Any = {
        "amount": 1500,
        "currency": "usd",
        "customer": cus.id,
        "payment_method": seti.payment_method,
        "confirm": True,
        "off_session": True,
    }
    if outcome == "succeeded":
        assert (await client.v1.payment_intents.create_async(params=params)).status == "succeeded"
        return
    with pytest.raises(stripe.CardError) as err:
        await client.v1.payment_intents.create_async(params=params)
    assert err.value.error is not None and err.value.error.decline_code == outcome
    types = [e["type"] for e in await stripe_fake.events()]
    assert "checkout.session.completed" in types and "setup_intent.succeeded" in types


async def test_hosted_page_form_post(client: stripe.StripeClient) -> None:
    url, _ = await setup_session(client)
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url,
            data={"card_number": "4242 4242 4242 4242", "exp": "12 / 34", "cvc": "123"},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 303


async def test_clone_platform_method_onto_connected_account(client: stripe.StripeClient) -> None:
    cus, card = await customer_with_card(client, "pm_card_mastercard")
    acct = await connected_account(client)
    clone = await client.v1.payment_methods.create_async(
        params={"customer": cus, "payment_method": card}, options={"stripe_account": acct}
    )
    assert clone.id != card
    assert (
        clone.card is not None and clone.card.brand == "mastercard" and clone.card.last4 == "4444"
    )
    assert clone.customer is None
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.payment_methods.retrieve_async(clone.id)
    got = await client.v1.payment_methods.retrieve_async(clone.id, options={"stripe_account": acct})
    assert got.id == clone.id


async def test_application_fee_and_proportional_refunds(client: stripe.StripeClient) -> None:
    acct, pi = await direct_charge(client, 10000, 1000)
    assert pi.status == "succeeded" and pi.latest_charge
    opts: Any = {"stripe_account": acct}
    charge = await client.v1.charges.retrieve_async(str(pi.latest_charge), options=opts)
    txn = await client.v1.balance_transactions.retrieve_async(
        str(charge.balance_transaction), options=opts
    )
    assert txn.amount == 10000
    assert txn.fee == 1000 + 320  # application fee + 2.9% + 30
    assert txn.net == 10000 - 1320
    fees = await client.v1.application_fees.list_async()
    fee = fees.data[0]
    assert (fee.account, fee.amount, fee.charge, fee.originating_transaction) == (
        acct,
        1000,
        charge.id,
        charge.id,
    )
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.charges.retrieve_async(charge.id)
    await client.v1.refunds.create_async(
        params={"payment_intent": pi.id, "amount": 3333, "refund_application_fee": True},
        options=opts,
    )
    fee = await client.v1.application_fees.retrieve_async(fee.id)
    assert fee.amount_refunded == 333  # 1000 * 3333 / 10000 = 333.3, rounded half up
    await client.v1.refunds.create_async(
        params={"charge": charge.id, "amount": 3335, "refund_application_fee": True}, options=opts
    )
    fee = await client.v1.application_fees.retrieve_async(fee.id)
    assert fee.amount_refunded == 333 + 334  # 333.5 rounds up
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.refunds.create_async(
            params={"charge": charge.id, "amount": 5000}, options=opts
        )
    assert err.value.code == "amount_too_large" and err.value.param == "amount"
    await client.v1.refunds.create_async(
        params={"charge": charge.id, "refund_application_fee": True}, options=opts
    )
    fee = await client.v1.application_fees.retrieve_async(fee.id)
    assert fee.amount_refunded == 1000 and fee.refunded
    charge = await client.v1.charges.retrieve_async(charge.id, options=opts)
    assert charge.amount_refunded == 10000 and charge.refunded
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.refunds.create_async(params={"charge": charge.id}, options=opts)
    assert err.value.code == "charge_already_refunded"


async def test_fault_500_and_429(client: stripe.StripeClient, stripe_fake: StripeFake) -> None:
    await stripe_fake.fault("POST", "/v1/customers", "500")
    with pytest.raises(stripe.APIError):
        await client.v1.customers.create_async(params={})
    await stripe_fake.fault("POST", "/v1/customers", "429")
    with pytest.raises(stripe.RateLimitError) as err:
        await client.v1.customers.create_async(params={})
    assert err.value.headers is not None and err.value.headers.get("Retry-After") == "1"
    assert (await client.v1.customers.create_async(params={})).id


async def test_fault_drop_commits_then_replay(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    await stripe_fake.fault("POST", "/v1/customers", "drop")
    opts: Any = {"idempotency_key": "drop-1"}
    with pytest.raises(stripe.APIConnectionError):
        await client.v1.customers.create_async(params={"email": "d@x.io"}, options=opts)
    assert len((await client.v1.customers.list_async()).data) == 1  # committed
    again = await client.v1.customers.create_async(params={"email": "d@x.io"}, options=opts)
    assert again.email == "d@x.io"
    assert len((await client.v1.customers.list_async()).data) == 1  # no second object


async def test_fault_timeout(stripe_fake: StripeFake) -> None:
    await stripe_fake.fault("GET", "/v1/balance", "timeout", seconds=5)
    http = stripe.AIOHTTPClient(timeout=0.3)
    c = stripe.StripeClient(
        "sk_test_x",
        http_client=http,
        max_network_retries=0,
        base_addresses={"api": stripe_fake.url},
    )
    try:
        with pytest.raises(stripe.APIConnectionError):
            await c.v1.balance.retrieve_async()
    finally:
        await http.close_async()


async def test_oauth_flow(stripe_fake: StripeFake) -> None:
    base = stripe_fake.url + "/oauth/authorize"
    query = {
        "response_type": "code",
        "client_id": "ca_test_connectbot",
        "scope": "read_write",
        "redirect_uri": "https://bot.example/cb?x=1",
        "state": "s+t/a=te&1",
        "stripe_user[email]": "vendor@example.com",
    }
    async with aiohttp.ClientSession() as http:
        async with http.get(base, params=query) as page:
            text = await page.text()
            assert "Approve" in text and "Deny" in text
        async with http.get(
            base, params={**query, "sandbox_decision": "deny"}, allow_redirects=False
        ) as denied:
            loc = aiohttp.client.URL(denied.headers["Location"])
            assert loc.query["error"] == "access_denied" and loc.query["state"] == query["state"]
        codes = []
        for _ in range(2):
            async with http.get(
                base, params={**query, "sandbox_decision": "approve"}, allow_redirects=False
            ) as ok:
                assert ok.status == 302
                loc = aiohttp.client.URL(ok.headers["Location"])
                assert loc.query["state"] == query["state"] and loc.query["x"] == "1"
                codes.append(loc.query["code"])
    sync = sync_client(stripe_fake.url)
    first = await asyncio.to_thread(
        sync.oauth.token, {"grant_type": "authorization_code", "code": codes[0]}
    )
    second = await asyncio.to_thread(
        sync.oauth.token, {"grant_type": "authorization_code", "code": codes[1]}
    )
    assert first["stripe_user_id"] == second["stripe_user_id"]  # same email, same account
    assert first["token_type"] == "bearer" and first["access_token"].startswith("sk_test_")
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        await asyncio.to_thread(
            sync.oauth.token, {"grant_type": "authorization_code", "code": codes[0]}
        )
    refreshed = await asyncio.to_thread(  # the reuse revoked only the first code's tokens
        sync.oauth.token, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}
    )
    assert refreshed["stripe_user_id"] == first["stripe_user_id"]
    acct = first["stripe_user_id"]
    done = await asyncio.to_thread(sync.oauth.deauthorize, {"stripe_user_id": acct})
    assert done["stripe_user_id"] == acct
    with pytest.raises(stripe.oauth_error.OAuthError):
        await asyncio.to_thread(sync.oauth.deauthorize, {"stripe_user_id": acct})
    types = [(e["type"], e.get("account")) for e in await stripe_fake.events()]
    assert ("account.application.authorized", acct) in types
    assert ("account.application.deauthorized", acct) in types


async def test_webhooks_signed_and_retried() -> None:
    secret = "whsec_test_secret"
    received: list[dict[str, Any]] = []
    failures = {"left": 1}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        payload = (await request.read()).decode()
        stripe.WebhookSignature.verify_header(
            payload, request.headers["Stripe-Signature"], secret, tolerance=300
        )
        received.append(json.loads(payload))
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with running_stripe_fake(webhook_url=url, webhook_secret=secret) as fake:
            async with stripe_client(fake.url) as c:
                acct, pi = await direct_charge(c, 5000, 500)
                await fake.dispute(str(pi.latest_charge))
                await fake.set_account(acct, charges_enabled=False)
            await fake.deliver()
            recorded = await fake.events()
    finally:
        await runner.cleanup()
    # Every event once; the one whose first delivery failed came last, retried after the
    # others went on (Stripe does not hold back later events behind a failing one).
    ids = [e["id"] for e in recorded]
    assert [e["id"] for e in received] == [*ids[1:], ids[0]]
    by_type = {e["type"]: e for e in received}
    assert by_type["payment_intent.succeeded"]["account"] == acct
    assert "account" not in by_type["application_fee.created"]
    assert by_type["charge.dispute.created"]["data"]["object"]["reason"] == "fraudulent"
    assert by_type["account.updated"]["data"]["object"]["charges_enabled"] is False
    assert all(e["delivery"]["status"] == "delivered" for e in recorded)


async def _realistic_flow(c: stripe.StripeClient, fake: StripeFake) -> None:
    await c.v1.balance.retrieve_async()
    await c.v1.accounts.retrieve_current_async()
    acct, pi = await direct_charge(c, 2500, 250)
    opts: Any = {"stripe_account": acct}
    await c.v1.account_links.create_async(
        params={
            "account": acct,
            "type": "account_onboarding",
            "refresh_url": "https://x.io/r",
            "return_url": "https://x.io/ok",
        }
    )
    await c.v1.accounts.retrieve_async(acct)
    await c.v1.payment_intents.retrieve_async(pi.id, options=opts)
    await c.v1.payment_intents.list_async(options=opts)
    await c.v1.charges.list_async(params={"payment_intent": pi.id}, options=opts)
    refund = await c.v1.refunds.create_async(
        params={
            "payment_intent": pi.id,
            "amount": 500,
            "refund_application_fee": True,
            "metadata": {"reason": "x"},
        },
        options={"stripe_account": acct, "idempotency_key": "r1"},
    )
    await c.v1.refunds.retrieve_async(refund.id, options=opts)
    fee = (await c.v1.application_fees.list_async()).data[0]
    await c.v1.application_fees.refunds.create_async(fee.id, params={"amount": 10})
    await c.v1.application_fees.refunds.list_async(fee.id)
    cus = await c.v1.customers.create_async(params={"email": "z@x.io", "name": "Z"})
    await c.v1.customers.update_async(cus.id, params={"metadata": {"slack": "U1"}})
    await c.v1.customers.search_async(params={"query": "email:'z@x.io'"})
    session = await c.v1.checkout.sessions.create_async(
        params={
            "mode": "setup",
            "customer": cus.id,
            "currency": "usd",
            "success_url": "https://x.io/ok",
            "cancel_url": "https://x.io/no",
        }
    )
    await c.v1.checkout.sessions.retrieve_async(session.id, params={"expand": ["setup_intent"]})
    events = await c.v1.events.list_async(params={"limit": 5})
    await c.v1.events.retrieve_async(events.data[0].id)


async def test_no_fidelity_problems_after_realistic_flow(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    await _realistic_flow(client, stripe_fake)
    log = await stripe_fake.requests()
    assert len(log) > 20
    entry = log[0]
    assert set(entry) >= {
        "method",
        "path",
        "stripe_account",
        "idempotency_key",
        "params",
        "status",
        "problems",
    }
    assert [(e["method"], e["path"], e["problems"]) for e in log if e["problems"]] == []


async def test_requests_match_openapi_spec(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    spec_file = SPECS / "stripe-openapi-2022-04.json"
    if not spec_file.exists():
        pytest.skip(f"Stripe OpenAPI spec absent: {spec_file} (../shared/specs)")
    spec = json.loads(spec_file.read_text())
    await _realistic_flow(client, stripe_fake)
    problems = []
    for entry in await stripe_fake.requests():
        if not entry["path"].startswith("/v1/"):
            continue
        route = match_route(entry["method"], entry["path"])
        assert route is not None, entry["path"]
        problems += check_openapi(entry["method"], route[0], entry["params"], spec)
    assert problems == []
