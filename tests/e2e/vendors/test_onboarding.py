"""Vendor onboarding over Connect OAuth, end to end: /connect-vendor → Stripe → callback.

Every test drives the real server as Slack and a vendor's browser would, against the fake
Stripe's authorize/token endpoints, and checks the pages, Slack messages and database rows.
"""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import select, update

from storage.models import AuditEntry, OAuthState, Vendor, utcnow
from tests.e2e.scenario import connected_vendor
from tests.harness import ADMIN, OPERATOR, OPS_CHANNEL, TEAM_ID, Connectbot

VENDOR = "U0VENDORA"
VENDOR_B = "U0VENDORB"


def button_url(payload: dict[str, Any]) -> str:
    """The URL of the first link button in a message or response."""
    for block in payload.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("url"):
                return str(element["url"])
    raise AssertionError(f"no link button in {payload!r}")


async def reply_to(cb: Connectbot, key: str | None) -> dict[str, Any]:
    """The first response_url reply to a command."""
    assert key is not None
    replies = await cb.until(lambda: cb.slack.responses(key), what="a private reply")
    return dict(replies[0])


async def link_for(cb: Connectbot, user: str) -> str:
    """`/connect-vendor` typed by `user`: the Connect with Stripe URL of its private reply."""
    reply = await cb.slack_sender.command("/connect-vendor", "", user_id=user)
    assert reply.status == 200
    return button_url(await reply_to(cb, reply.response_key))


async def authorize(cb: Connectbot, url: str, decision: str = "approve") -> str:
    """The vendor's click at the fake Stripe: where Stripe redirects them (our callback URL)."""
    async with cb.http.get(f"{url}&sandbox_decision={decision}", allow_redirects=False) as resp:
        assert resp.status == 302, await resp.text()
        return str(resp.headers["Location"])


async def open_page(cb: Connectbot, url: str) -> tuple[int, str]:
    """Status and the page's text with HTML entities decoded (`You're`, not `You&#x27;re`)."""
    async with cb.http.get(url, allow_redirects=False) as resp:
        assert resp.content_type == "text/html"
        return resp.status, html.unescape(await resp.text())


async def connect(cb: Connectbot, user: str) -> Vendor:
    """The whole happy path for `user`; the stored vendor row."""
    status, page = await open_page(cb, await authorize(cb, await link_for(cb, user)))
    assert status == 200, page
    vendor = await stored_vendor(cb, user)
    assert vendor is not None and vendor.status == "connected"
    return vendor


async def stored_vendor(cb: Connectbot, user: str) -> Vendor | None:
    async with cb.sessions() as session:
        return await session.scalar(select(Vendor).where(Vendor.slack_user_id == user))


async def vendor_count(cb: Connectbot) -> int:
    async with cb.sessions() as session:
        return len((await session.scalars(select(Vendor))).all())


async def stripe_calls(cb: Connectbot, path: str) -> list[dict[str, Any]]:
    return [r for r in await cb.stripe.requests() if r["path"] == path]


async def dm_texts(cb: Connectbot, user: str) -> list[str]:
    return [m["text"] for m in await cb.slack.messages(f"D{user}")]


# The title of the page for each refused `state`: each says what happened, and only that.
REFUSED = {
    "unknown": "This link isn't one we issued",
    "expired": "This link has expired",
    "used": "This link was already used",
}


def assert_refused(status: int, page: str, refusal: str) -> None:
    assert status == 400 and REFUSED[refusal] in page, page
    others = [title for kind, title in REFUSED.items() if kind != refusal]
    assert not any(title in page for title in others), page
    assert "Nothing was connected" in page or "connected nothing" in page


async def channel_texts(cb: Connectbot, channel: str = OPS_CHANNEL) -> list[str]:
    return [m["text"] for m in await cb.slack.messages(channel)]


async def test_a_vendor_connects_with_the_link_and_everyone_hears_of_it(cb: Connectbot) -> None:
    link = await link_for(cb, VENDOR)
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == cb.stripe.url and parts.path == "/oauth/authorize"
    assert query["response_type"] == "code" and query["scope"] == "read_write"
    assert query["client_id"] == "ca_connectbot"
    assert query["redirect_uri"] == f"{cb.url}/stripe/oauth/callback"
    assert query["stripe_user[email]"] == f"{VENDOR.lower()}@example.com"
    assert len(query["state"]) >= 43  # 32 random bytes, URL-safe base64

    status, page = await open_page(cb, await authorize(cb, link))
    assert status == 200 and "You're connected" in page and "Traceback" not in page

    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None
    assert vendor.stripe_account_id.startswith("acct_") and vendor.stripe_account_id in page
    assert (vendor.status, vendor.scope, vendor.livemode) == ("connected", "read_write", False)
    assert vendor.charges_enabled and vendor.payouts_enabled and vendor.team_id == TEAM_ID
    assert len(await stripe_calls(cb, "/oauth/token")) == 1
    assert len(await stripe_calls(cb, f"/v1/accounts/{vendor.stripe_account_id}")) == 1

    dms = await cb.until(lambda: dm_texts(cb, VENDOR), what="the vendor's DM")
    assert vendor.stripe_account_id in dms[0] and "connected" in dms[0]
    notes = await cb.until(lambda: channel_texts(cb), what="the ops note")
    assert f"<@{VENDOR}>" in notes[0] and vendor.stripe_account_id in notes[0]
    assert "invited by" not in str(await cb.slack.messages(OPS_CHANNEL))  # they asked themselves

    async with cb.sessions() as session:
        state = (await session.scalars(select(OAuthState))).one()
        actions = (await session.scalars(select(AuditEntry.outcome))).all()
    assert state.used_at is not None and state.slack_user_id == VENDOR
    assert state.state_hash != query["state"] and len(state.state_hash) == 64
    assert state.expires_at - state.created_at == timedelta(minutes=15)
    assert {"sent", "connected"} <= set(actions)


async def test_declining_stores_nothing_and_tells_the_vendor(cb: Connectbot) -> None:
    callback = await authorize(cb, await link_for(cb, VENDOR), "deny")
    assert "error=access_denied" in callback
    status, page = await open_page(cb, callback)
    assert status == 200 and "You declined" in page
    assert await vendor_count(cb) == 0
    assert await stripe_calls(cb, "/oauth/token") == []
    dms = await cb.until(lambda: dm_texts(cb, VENDOR), what="the declined DM")
    assert "declined" in dms[0]


async def test_a_forged_state_is_refused_without_calling_stripe(cb: Connectbot) -> None:
    await link_for(cb, VENDOR)
    query = urlencode({"code": "ac_forged", "state": "not-a-state-we-issued"})
    status, page = await open_page(cb, f"{cb.url}/stripe/oauth/callback?{query}")
    assert_refused(status, page, "unknown")
    assert "/connect-vendor" in page
    status, page = await open_page(cb, f"{cb.url}/stripe/oauth/callback?code=ac_x")
    assert status == 400 and "Incomplete link" in page
    assert await stripe_calls(cb, "/oauth/token") == []
    assert await vendor_count(cb) == 0


async def test_an_expired_state_is_refused_without_calling_stripe(cb: Connectbot) -> None:
    callback = await authorize(cb, await link_for(cb, VENDOR))
    async with cb.sessions.begin() as session:
        await session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
    status, page = await open_page(cb, callback)
    assert_refused(status, page, "expired")
    assert "15 minutes" in page and "/connect-vendor" in page
    assert await stripe_calls(cb, "/oauth/token") == []
    assert await vendor_count(cb) == 0


async def test_a_replayed_callback_url_is_refused(cb: Connectbot) -> None:
    callback = await authorize(cb, await link_for(cb, VENDOR))
    assert (await open_page(cb, callback))[0] == 200
    status, page = await open_page(cb, callback)
    assert_refused(status, page, "used")
    # The vendor it was for is connected: they are told so, not sent for a fresh link.
    assert "and you're connected: your Stripe account is connected to the marketplace" in page
    assert "/connect-vendor" not in page and "acct_" not in page
    assert len(await stripe_calls(cb, "/oauth/token")) == 1
    assert await vendor_count(cb) == 1
    await cb.until(lambda: channel_texts(cb), what="the ops note")
    await cb.settled()
    assert len(await channel_texts(cb)) == 1


async def test_two_racing_uses_of_one_callback_url_connect_once(cb: Connectbot) -> None:
    callback = await authorize(cb, await link_for(cb, VENDOR))
    results = await asyncio.gather(*(open_page(cb, callback) for _ in range(4)))
    assert sorted(status for status, _ in results) == [200, 400, 400, 400]
    for status, page in results:
        if status == 400:
            assert_refused(status, page, "used")
    assert len(await stripe_calls(cb, "/oauth/token")) == 1
    assert await vendor_count(cb) == 1


async def test_a_reused_code_is_rejected_by_stripe_with_a_400_page(cb: Connectbot) -> None:
    first = await authorize(cb, await link_for(cb, VENDOR))
    assert (await open_page(cb, first))[0] == 200
    code = parse_qs(urlsplit(first).query)["code"][0]
    other_state = parse_qs(urlsplit(await link_for(cb, VENDOR_B)).query)["state"][0]
    reused = f"{cb.url}/stripe/oauth/callback?" + urlencode({"code": code, "state": other_state})
    status, page = await open_page(cb, reused)
    assert status == 400 and "Stripe rejected" in page
    tokens = await stripe_calls(cb, "/oauth/token")
    assert [t["status"] for t in tokens] == [200, 400]
    assert await stored_vendor(cb, VENDOR_B) is None and await vendor_count(cb) == 1


async def test_someone_else_cannot_send_a_link_to_a_vendor(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/connect-vendor", f"<@{VENDOR}|a>", user_id=VENDOR_B)
    assert reply.status == 200 and reply.body == (
        "Only connectbot operators can send a Connect with Stripe link to someone else. "
        "Ask a connectbot admin if you need to."
    )
    async with cb.sessions() as session:
        assert (await session.scalars(select(OAuthState))).all() == []
    await cb.settled()
    assert await cb.slack.messages(f"D{VENDOR}") == []


async def test_an_operator_sends_the_link_by_dm_and_the_vendor_connects(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/connect-vendor", f"<@{VENDOR}|a>", user_id=OPERATOR)
    confirmation = await reply_to(cb, reply.response_key)
    assert f"sent <@{VENDOR}>" in confirmation["text"]
    dms = await cb.until(lambda: cb.slack.messages(f"D{VENDOR}"), what="the link DM")
    assert f"<@{OPERATOR}> invited you" in dms[0]["text"]
    status, _ = await open_page(cb, await authorize(cb, button_url(dms[0])))
    assert status == 200
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.status == "connected"
    await cb.settled()
    [note] = await cb.slack.messages(OPS_CHANNEL)
    assert f"<@{VENDOR}> connected" in note["text"] and vendor.stripe_account_id in note["text"]
    assert f"invited by <@{OPERATOR}>" in str(note["blocks"])


async def test_a_connected_vendor_is_told_their_account_instead_of_a_new_link(
    cb: Connectbot,
) -> None:
    # A live account (as a live platform's OAuth connects; the harness's platform key is a
    # test one, so the fake refuses a live code): its Dashboard link takes the live form.
    vendor = await connected_vendor(cb, VENDOR, charges_enabled=False, livemode=True)
    account = vendor.stripe_account_id
    reply = await cb.slack_sender.command("/connect-vendor", "", user_id=VENDOR)
    answer = await reply_to(cb, reply.response_key)
    # To the vendor their account is code: its link opens the platform's Connect page.
    assert answer["text"] == (
        f"You're already connected to Stripe as `{account}`. No new link is needed."
    )
    assert "blocks" not in answer or not answer["blocks"]
    reply = await cb.slack_sender.command("/connect-vendor", f"<@{VENDOR}>", user_id=ADMIN)
    answer = await reply_to(cb, reply.response_key)
    url = f"https://dashboard.stripe.com/connect/accounts/{account}"
    assert f"<@{VENDOR}> is already connected to Stripe as <{url}|{account}>." in answer["text"]


async def test_one_stripe_account_cannot_belong_to_two_slack_users(cb: Connectbot) -> None:
    first = await connect(cb, VENDOR)
    # Same email at Stripe: the fake's authorize hands back the same account.
    await cb.slack.set_user(VENDOR_B, email=f"{VENDOR.lower()}@example.com")
    status, page = await open_page(cb, await authorize(cb, await link_for(cb, VENDOR_B)))
    assert status == 409 and first.stripe_account_id in page and "another person" in page
    assert await stored_vendor(cb, VENDOR_B) is None
    still = await stored_vendor(cb, VENDOR)
    assert still is not None and still.status == "connected"
    async with cb.sessions() as session:
        refused = (
            await session.scalars(select(AuditEntry).where(AuditEntry.outcome == "refused"))
        ).all()
    assert [r.actor for r in refused] == [VENDOR_B]


async def test_help_and_malformed_text(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/connect-vendor", "help", user_id=VENDOR)
    assert "Usage:" in reply.body
    reply = await cb.slack_sender.command("/connect-vendor", "@bob and @alice", user_id=ADMIN)
    assert "Mention one vendor" in reply.body and "Usage:" in reply.body
