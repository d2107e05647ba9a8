"""The fake Stripe's idempotency layer, each rule as Stripe documents it (idempotency.py).

Requests go over raw HTTP where a test needs exactly one request per call (stripe-python
retries 409s and 5xx by itself), and through stripe-python elsewhere.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.idempotency import KEY_LIFETIME_SECONDS
from sandbox.stripe_fake.testing import StripeFake

from .stripe_helpers import stripe_client

KEY = "Bearer sk_test_idem"


async def post(
    http: aiohttp.ClientSession,
    fake: StripeFake,
    path: str,
    data: dict[str, str],
    *,
    key: str | None,
    account: str | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """One POST, no retries: (status, JSON body, headers)."""
    headers = {"Authorization": KEY}
    if key:
        headers["Idempotency-Key"] = key
    if account:
        headers["Stripe-Account"] = account
    async with http.post(fake.url + path, data=data, headers=headers) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


async def customers(
    http: aiohttp.ClientSession, fake: StripeFake, account: str | None = None
) -> int:
    headers = {"Authorization": KEY, **({"Stripe-Account": account} if account else {})}
    async with http.get(fake.url + "/v1/customers?limit=100", headers=headers) as resp:
        return len((await resp.json())["data"])


async def test_a_500_after_the_endpoint_ran_is_saved_and_replayed_until_pruned(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    await stripe_fake.fault("POST", "/v1/customers", "500_after_commit")
    status, body, _ = await post(http, stripe_fake, "/v1/customers", {"email": "a@x.io"}, key="k5")
    assert status == 500 and body["error"]["type"] == "api_error"
    assert await customers(http, stripe_fake) == 1  # it ran: the customer exists

    again, replayed, headers = await post(
        http, stripe_fake, "/v1/customers", {"email": "a@x.io"}, key="k5"
    )
    assert again == 500 and replayed == body
    assert headers["Idempotent-Replayed"] == "true" and headers["Original-Request"]
    assert await customers(http, stripe_fake) == 1

    # Stripe may prune a key once it is 24 hours old; the same key is then a new request.
    await stripe_fake.advance_clock(KEY_LIFETIME_SECONDS)
    fresh, created, headers = await post(
        http, stripe_fake, "/v1/customers", {"email": "a@x.io"}, key="k5"
    )
    assert fresh == 200 and created["object"] == "customer" and "Idempotent-Replayed" not in headers
    assert await customers(http, stripe_fake) == 2


async def test_a_saved_result_lives_24_hours_on_the_fake_clock(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    _, first, _ = await post(http, stripe_fake, "/v1/customers", {"email": "b@x.io"}, key="k24")
    await stripe_fake.advance_clock(KEY_LIFETIME_SECONDS - 2)
    _, replayed, headers = await post(
        http, stripe_fake, "/v1/customers", {"email": "b@x.io"}, key="k24"
    )
    assert replayed["id"] == first["id"] and headers["Idempotent-Replayed"] == "true"
    await stripe_fake.advance_clock(2)
    _, second, _ = await post(http, stripe_fake, "/v1/customers", {"email": "b@x.io"}, key="k24")
    assert second["id"] != first["id"]


@pytest.mark.parametrize("kind", ["500", "429"])
async def test_errors_in_front_of_the_api_save_nothing(
    http: aiohttp.ClientSession, stripe_fake: StripeFake, kind: str
) -> None:
    await stripe_fake.fault("POST", "/v1/customers", kind)
    status, _, _ = await post(http, stripe_fake, "/v1/customers", {"email": "c@x.io"}, key="kf")
    assert status == int(kind)
    assert await customers(http, stripe_fake) == 0
    status, body, headers = await post(
        http, stripe_fake, "/v1/customers", {"email": "c@x.io"}, key="kf"
    )
    assert status == 200 and body["object"] == "customer" and "Idempotent-Replayed" not in headers


async def test_a_request_that_fails_validation_saves_nothing(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    status, body, _ = await post(http, stripe_fake, "/v1/customers", {"emial": "d"}, key="kv")
    assert status == 400 and body["error"]["code"] == "parameter_unknown"
    status, body, _ = await post(http, stripe_fake, "/v1/customers", {"email": "d@x.io"}, key="kv")
    assert status == 200 and body["email"] == "d@x.io"


async def test_an_error_the_endpoint_answered_is_saved(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    data = {"amount": "2000", "currency": "usd", "customer": "cus_missing"}
    status, first, _ = await post(http, stripe_fake, "/v1/payment_intents", data, key="ke")
    assert status == 404 and first["error"]["code"] == "resource_missing"
    status, again, headers = await post(http, stripe_fake, "/v1/payment_intents", data, key="ke")
    assert status == 404 and again == first and headers["Idempotent-Replayed"] == "true"


async def test_a_key_still_executing_is_in_use(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    await stripe_fake.fault("POST", "/v1/customers", "timeout", seconds=1.0)
    data = {"email": "e@x.io"}
    first = asyncio.create_task(post(http, stripe_fake, "/v1/customers", data, key="kin"))
    while not await stripe_fake.requests():
        await asyncio.sleep(0.01)
    status, body, _ = await post(http, stripe_fake, "/v1/customers", data, key="kin")
    assert status == 409
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["code"] == "idempotency_key_in_use"
    assert body["error"]["message"].startswith(
        "There is currently another in-progress request using this Idempotent Key"
    )
    done, created, _ = await first
    assert done == 200
    status, replayed, headers = await post(http, stripe_fake, "/v1/customers", data, key="kin")
    assert replayed["id"] == created["id"] and headers["Idempotent-Replayed"] == "true"
    assert await customers(http, stripe_fake) == 1


async def test_stripe_python_retries_an_in_use_key_until_the_first_request_ends(
    stripe_fake: StripeFake, stripe_backoff_as_shipped: None
) -> None:
    # Five retries of stripe-python's own backoff outlast the first request's 0.5 s.
    await stripe_fake.fault("POST", "/v1/customers", "timeout", seconds=0.5)
    http = stripe.AIOHTTPClient()
    retrying = stripe.StripeClient(
        "sk_test_r",
        http_client=http,
        base_addresses={"api": stripe_fake.url},
        max_network_retries=5,
    )
    opts: Any = {"idempotency_key": "kpy"}
    try:
        async with stripe_client(stripe_fake.url) as c:
            first = asyncio.create_task(
                c.v1.customers.create_async(params={"email": "f@x.io"}, options=opts)
            )
            while not await stripe_fake.requests():
                await asyncio.sleep(0.01)
            second = await retrying.v1.customers.create_async(
                params={"email": "f@x.io"}, options=opts
            )
            assert second.id == (await first).id
    finally:
        await http.close_async()
    statuses = [r["status"] for r in await stripe_fake.requests()]
    assert 409 in statuses and len(await _all_customers(stripe_fake)) == 1


async def _all_customers(fake: StripeFake) -> list[Any]:
    async with stripe_client(fake.url) as c:
        return list((await c.v1.customers.list_async()).data)


async def test_a_key_belongs_to_one_endpoint_and_one_set_of_params(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    status, customer, _ = await post(
        http, stripe_fake, "/v1/customers", {"email": "g@x.io"}, key="ks"
    )
    assert status == 200
    status, body, _ = await post(
        http, stripe_fake, f"/v1/customers/{customer['id']}", {"name": "G"}, key="ks"
    )
    assert status == 400 and body["error"]["type"] == "idempotency_error"
    assert "can only be used for the same endpoint" in body["error"]["message"]
    assert "'/v1/customers' vs " in body["error"]["message"]
    status, body, _ = await post(http, stripe_fake, "/v1/customers", {"email": "h@x.io"}, key="ks")
    assert status == 400 and body["error"]["type"] == "idempotency_error"
    assert "same parameters" in body["error"]["message"]
    assert await customers(http, stripe_fake) == 1


async def test_a_key_is_scoped_to_its_account(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    _, account, _ = await post(http, stripe_fake, "/v1/accounts", {"type": "standard"}, key=None)
    data = {"email": "i@x.io"}
    _, on_platform, _ = await post(http, stripe_fake, "/v1/customers", data, key="kacct")
    status, on_vendor, headers = await post(
        http, stripe_fake, "/v1/customers", data, key="kacct", account=account["id"]
    )
    assert status == 200 and on_vendor["id"] != on_platform["id"]
    assert "Idempotent-Replayed" not in headers
    assert await customers(http, stripe_fake) == 1
    assert await customers(http, stripe_fake, account["id"]) == 1


async def test_an_unknown_fault_kind_is_refused(
    http: aiohttp.ClientSession, stripe_fake: StripeFake
) -> None:
    body = {"path": "/v1/customers", "kind": "explode"}
    async with http.post(stripe_fake.url + "/_fake/faults", json=body) as resp:
        assert resp.status == 400
        assert "500_after_commit" in (await resp.json())["error"]
