"""`CONNECT_ONBOARDING=account_links`: a Standard account and a hosted onboarding link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest

from storage.repos import oauth_states, vendors
from tests.e2e.vendors.test_onboarding import (
    VENDOR,
    button_url,
    channel_texts,
    dm_texts,
    open_page,
    stored_vendor,
)
from tests.harness import OPERATOR, Connectbot, running_connectbot


@pytest.fixture
async def links(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, connect_onboarding="account_links") as running:
        yield running


async def test_hosted_onboarding_from_link_to_connected(links: Connectbot) -> None:
    cb = links
    reply = await cb.slack_sender.command("/connect-vendor", f"<@{VENDOR}|v>", user_id=OPERATOR)
    assert reply.status == 200
    dms = await cb.until(lambda: cb.slack.messages(f"D{VENDOR}"), what="the onboarding DM")
    url = button_url(dms[0])
    assert url.startswith(f"{cb.stripe.url}/setup/s/acct_")

    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.status == "onboarding"
    account = vendor.stripe_account_id
    requests = await cb.stripe.requests()
    created = [r for r in requests if r["path"] == "/v1/accounts" and r["method"] == "POST"]
    assert [c["params"]["type"] for c in created] == ["standard"]
    assert created[0]["params"]["email"] == f"{VENDOR.lower()}@example.com"
    link = next(r for r in requests if r["path"] == "/v1/account_links")
    assert link["params"]["account"] == account and link["params"]["type"] == "account_onboarding"
    state = parse_qs(urlsplit(link["params"]["return_url"]).query)["state"][0]
    assert link["params"]["return_url"].startswith(f"{cb.url}/stripe/onboarding/return?")
    assert link["params"]["refresh_url"] == f"{cb.url}/stripe/onboarding/refresh?state={state}"

    # Back too early: Stripe still needs details; nothing is announced yet.
    status, page = await open_page(cb, link["params"]["return_url"])
    assert status == 200 and "Almost there" in page and "business_profile.url" in page

    # The link expired: refresh issues a fresh one by redirect.
    async with cb.http.get(link["params"]["refresh_url"], allow_redirects=False) as resp:
        assert resp.status == 302 and resp.headers["Location"].startswith(f"{cb.stripe.url}/setup/")
    links_made = [r for r in await cb.stripe.requests() if r["path"] == "/v1/account_links"]
    assert len(links_made) == 2

    await cb.stripe.set_account(
        account, details_submitted=True, charges_enabled=True, payouts_enabled=True
    )
    status, page = await open_page(cb, link["params"]["return_url"])
    assert status == 200 and "You're connected" in page
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.status == "connected" and vendor.charges_enabled
    assert vendor.stripe_account_id == account
    await cb.until(lambda: channel_texts(cb), what="the ops note")
    texts = await cb.until(lambda: _welcome(cb), what="the welcome DM")
    assert account in texts[0]
    status, _ = await open_page(cb, link["params"]["return_url"])
    assert status == 400  # the state was used up when the vendor connected


async def _welcome(cb: Connectbot) -> list[str]:
    return [t for t in await dm_texts(cb, VENDOR) if "is connected" in t]


async def test_an_unknown_state_gets_a_400_page(links: Connectbot) -> None:
    status, page = await open_page(links, f"{links.url}/stripe/onboarding/return?state=nope")
    assert status == 400 and "can't be used" in page
    status, _ = await open_page(links, f"{links.url}/stripe/onboarding/refresh?state=nope")
    assert status == 400


async def test_a_state_of_another_workspace_gets_a_400_page(links: Connectbot) -> None:
    """SLACK_TEAM_ID changed since the link was sent: its vendor, onboarding in the other
    workspace, is not read from Stripe nor connected here (as the OAuth callback refuses it)."""
    cb = links
    async with cb.sessions.begin() as session:
        foreign = await oauth_states.issue(
            session, team_id="T_OTHER", slack_user_id=VENDOR, requested_by=VENDOR
        )
        await vendors.save_account(
            session,
            team_id="T_OTHER",
            slack_user_id=VENDOR,
            stripe_account_id="acct_elsewhere",
            status="onboarding",
            livemode=False,
            scope=None,
            email=None,
            charges_enabled=False,
            payouts_enabled=False,
        )
    before = len(await cb.stripe.requests())
    for page in ("return", "refresh"):
        status, text = await open_page(cb, f"{cb.url}/stripe/onboarding/{page}?state={foreign}")
        assert status == 400 and "can't be used" in text, page
    assert (await cb.stripe.requests())[before:] == []  # Stripe was not asked
