"""The fake's Connect OAuth rules, each pinned: codes work once and expire, a reused code revokes
what it issued, a code's mode must match the key's, and faults work as on `/v1`.

Requests go through stripe-python's own OAuth client (blocking, so in a thread), as connectbot's.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.oauth_grants import CODE_LIFETIME_SECONDS, EXPIRED, USED
from sandbox.stripe_fake.testing import StripeFake
from tests.sandbox.stripe_helpers import sync_client

TEST_KEY = "sk_test_platform"
LIVE_KEY = "sk_live_platform"


async def code_for(fake: StripeFake, email: str = "vendor@example.com", **extra: str) -> str:
    """Approve the authorize page at once; the code from the redirect."""
    query = {
        "response_type": "code",
        "client_id": "ca_test_connectbot",
        "scope": "read_write",
        "redirect_uri": "https://bot.example/cb",
        "stripe_user[email]": email,
        "sandbox_decision": "approve",
        **extra,
    }
    async with aiohttp.ClientSession() as http:
        async with http.get(
            fake.url + "/oauth/authorize", params=query, allow_redirects=False
        ) as resp:
            assert resp.status == 302, await resp.text()
            return str(aiohttp.client.URL(resp.headers["Location"]).query["code"])


async def exchange(
    fake: StripeFake, code: str, key: str = TEST_KEY, client: stripe.StripeClient | None = None
) -> Any:
    sync = client or sync_client(fake.url, key)
    params: Any = {"grant_type": "authorization_code", "code": code}
    return await asyncio.to_thread(sync.oauth.token, params)


async def invalid_grant(fake: StripeFake, code: str, key: str = TEST_KEY) -> str:
    """The description of the `invalid_grant` Stripe answers for `code`."""
    with pytest.raises(stripe.oauth_error.InvalidGrantError) as err:
        await exchange(fake, code, key)
    return str(err.value.user_message)


async def can_act_for(fake: StripeFake, account: str) -> bool:
    """Whether the platform key may still act for `account` (Stripe-Account header)."""
    async with aiohttp.ClientSession() as http:
        async with http.get(
            fake.url + "/v1/balance",
            headers={"Authorization": f"Bearer {TEST_KEY}", "Stripe-Account": account},
        ) as resp:
            return resp.status == 200


async def event_types(fake: StripeFake, account: str) -> list[str]:
    return [e["type"] for e in await fake.events() if e.get("account") == account]


def token_requests(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in log if r["path"] == "/oauth/token"]


async def test_a_code_works_once_and_its_reuse_revokes_the_connection(
    stripe_fake: StripeFake,
) -> None:
    code = await code_for(stripe_fake)
    token = await exchange(stripe_fake, code)
    account = token["stripe_user_id"]
    assert token["livemode"] is False and await can_act_for(stripe_fake, account)

    assert await invalid_grant(stripe_fake, code) == USED
    assert not await can_act_for(stripe_fake, account)  # revoked: the platform lost the account
    assert await event_types(stripe_fake, account) == [
        "account.application.authorized",
        "account.application.deauthorized",
    ]
    sync = sync_client(stripe_fake.url)
    with pytest.raises(stripe.oauth_error.InvalidGrantError):  # its refresh token is revoked too
        await asyncio.to_thread(
            sync.oauth.token,
            {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        )
    assert await invalid_grant(stripe_fake, code) == USED  # and stays refused
    assert (await event_types(stripe_fake, account)).count("account.application.deauthorized") == 1


async def test_reusing_an_old_code_leaves_a_later_connection_alone(
    stripe_fake: StripeFake,
) -> None:
    old_code = await code_for(stripe_fake)
    old = await exchange(stripe_fake, old_code)
    new = await exchange(stripe_fake, await code_for(stripe_fake))  # same email: same account
    account = new["stripe_user_id"]
    assert old["stripe_user_id"] == account

    assert await invalid_grant(stripe_fake, old_code) == USED
    assert await can_act_for(stripe_fake, account)  # the current connection came from `new`
    assert "account.application.deauthorized" not in await event_types(stripe_fake, account)


async def test_an_unknown_code_is_named_in_the_refusal(stripe_fake: StripeFake) -> None:
    assert (
        await invalid_grant(stripe_fake, "ac_nope") == "Authorization code does not exist: ac_nope"
    )


async def test_a_code_expires_on_the_fake_clock(stripe_fake: StripeFake) -> None:
    fresh, stale = await code_for(stripe_fake), await code_for(stripe_fake, "other@example.com")
    await stripe_fake.advance_clock(CODE_LIFETIME_SECONDS)
    assert (await exchange(stripe_fake, fresh))["stripe_user_id"].startswith(
        "acct_"
    )  # just in time
    await stripe_fake.advance_clock(1)
    assert await invalid_grant(stripe_fake, stale) == EXPIRED


async def test_a_code_of_one_mode_is_refused_with_a_key_of_the_other(
    stripe_fake: StripeFake,
) -> None:
    test_code = await code_for(stripe_fake)
    assert await invalid_grant(stripe_fake, test_code, LIVE_KEY) == (
        "Passed in livemode API key but authorization code only supports returning test keys"
    )
    live_code = await code_for(stripe_fake, sandbox_livemode="true")
    assert await invalid_grant(stripe_fake, live_code, TEST_KEY) == (
        "Passed in testmode API key but authorization code only supports returning live keys"
    )
    live = await exchange(stripe_fake, live_code, LIVE_KEY)
    assert live["livemode"] is True and live["access_token"].startswith("sk_live_")
    live_events = [e for e in await stripe_fake.events() if e["livemode"]]
    assert [e["type"] for e in live_events] == ["account.application.authorized"]


async def test_the_authorize_link_refuses_a_malformed_mode(stripe_fake: StripeFake) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(
            stripe_fake.url + "/oauth/authorize",
            params={"client_id": "ca_x", "redirect_uri": "https://b/cb", "sandbox_livemode": "1"},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 400 and "sandbox_livemode" in await resp.text()


async def test_missing_parameters_are_invalid_requests(stripe_fake: StripeFake) -> None:
    sync = sync_client(stripe_fake.url)
    for params in ({"grant_type": "authorization_code"}, {"code": "ac_x"}):
        with pytest.raises(stripe.oauth_error.InvalidRequestError):
            await asyncio.to_thread(sync.oauth.token, params)


async def test_requests_are_logged_with_their_params_but_never_the_secret(
    stripe_fake: StripeFake,
) -> None:
    code = await code_for(stripe_fake)
    sync = sync_client(stripe_fake.url)
    params: Any = {"grant_type": "authorization_code", "code": code, "client_secret": TEST_KEY}
    token = await asyncio.to_thread(sync.oauth.token, params)
    await asyncio.to_thread(sync.oauth.deauthorize, {"stripe_user_id": token["stripe_user_id"]})
    log = await stripe_fake.requests()
    assert [(r["path"], r["status"]) for r in log] == [
        ("/oauth/token", 200),
        ("/oauth/deauthorize", 200),
    ]
    assert log[0]["params"] == {"grant_type": "authorization_code", "code": code}
    assert log[1]["params"] == {
        "stripe_user_id": token["stripe_user_id"],
        "client_id": "ca_test_connectbot",
    }
    assert TEST_KEY not in str(log)


@pytest.mark.parametrize("kind", ["500", "429"])
async def test_a_500_or_429_is_answered_without_using_the_code(
    stripe_fake: StripeFake, kind: str
) -> None:
    code = await code_for(stripe_fake)
    await stripe_fake.fault("POST", "/oauth/token", kind)
    expected = stripe.APIError if kind == "500" else stripe.RateLimitError
    with pytest.raises(expected) as err:
        await exchange(stripe_fake, code)
    if kind == "429":
        assert err.value.headers is not None and err.value.headers.get("Retry-After") == "1"
    assert (await exchange(stripe_fake, code))["stripe_user_id"].startswith("acct_")
    assert [r["status"] for r in token_requests(await stripe_fake.requests())] == [int(kind), 200]


async def test_a_drop_carries_the_exchange_out_and_loses_the_answer(
    stripe_fake: StripeFake,
) -> None:
    code = await code_for(stripe_fake)
    await stripe_fake.fault("POST", "/oauth/token", "drop")
    with pytest.raises(stripe.APIConnectionError):
        await exchange(stripe_fake, code)
    [logged] = token_requests(await stripe_fake.requests())
    assert logged["status"] == 200 and logged["dropped"] is True
    events = await stripe_fake.events()
    assert [e["type"] for e in events] == ["account.application.authorized"]
    account = events[0]["account"]
    assert await can_act_for(stripe_fake, account)  # connected, though nobody heard the answer
    assert await invalid_grant(stripe_fake, code) == USED  # and sending it again revokes it
    assert not await can_act_for(stripe_fake, account)


async def test_a_timeout_holds_the_exchange_then_carries_it_out(stripe_fake: StripeFake) -> None:
    code = await code_for(stripe_fake)
    await stripe_fake.fault("POST", "/oauth/token", "timeout", seconds=0.6)
    impatient = stripe.StripeClient(
        TEST_KEY,
        base_addresses={"connect": stripe_fake.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=0.2),
    )
    with pytest.raises(stripe.APIConnectionError):
        await exchange(stripe_fake, code, client=impatient)
    [pending] = token_requests(await stripe_fake.requests())
    assert pending["status"] is None  # logged on arrival, still held

    async def answered() -> list[dict[str, Any]]:
        return [r for r in token_requests(await stripe_fake.requests()) if r["status"]]

    for _ in range(40):
        if await answered():
            break
        await asyncio.sleep(0.05)
    assert [r["status"] for r in await answered()] == [200]
    assert await invalid_grant(stripe_fake, code) == USED


async def test_deauthorize_takes_faults_too(stripe_fake: StripeFake) -> None:
    account = (await exchange(stripe_fake, await code_for(stripe_fake)))["stripe_user_id"]
    sync = sync_client(stripe_fake.url)
    await stripe_fake.fault("POST", "/oauth/deauthorize", "500")
    with pytest.raises(stripe.APIError):
        await asyncio.to_thread(sync.oauth.deauthorize, {"stripe_user_id": account})
    assert await can_act_for(stripe_fake, account)  # a 500 carried nothing out

    await stripe_fake.fault("POST", "/oauth/deauthorize", "drop")
    with pytest.raises(stripe.APIConnectionError):
        await asyncio.to_thread(sync.oauth.deauthorize, {"stripe_user_id": account})
    assert not await can_act_for(stripe_fake, account)  # a drop did, then lost the answer
    with pytest.raises(stripe.oauth_error.InvalidClientError):  # so a retry finds it done
        await asyncio.to_thread(sync.oauth.deauthorize, {"stripe_user_id": account})


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
ESCAPED = html.escape(HOSTILE).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")


async def test_the_authorize_page_escapes_every_value(stripe_fake: StripeFake) -> None:
    query = {
        "response_type": "code",
        "client_id": HOSTILE,
        "scope": HOSTILE,
        "redirect_uri": "https://bot.example/cb",
        "stripe_user[email]": HOSTILE,
        "state": HOSTILE,
        HOSTILE: HOSTILE,
    }
    async with aiohttp.ClientSession() as http:
        async with http.get(stripe_fake.url + "/oauth/authorize", params=query) as resp:
            assert resp.status == 200 and resp.content_type == "text/html"
            page = await resp.text()
    assert HOSTILE not in page and "<script" not in page.lower() and "<img" not in page.lower()
    # Shown: client, scope, email; carried in hidden inputs: five values and one name.
    assert page.count(ESCAPED) == 9
    assert "Connect your Stripe account" in page and "Approve" in page
