"""Attacks on the HTTP surface (issue 13 §4): signatures, OAuth states, HTML injection, size.

Slack signatures forged, stale or replayed; Stripe webhook signatures the same; an OAuth
`state` forged, reused, expired, used by another person or issued for another workspace;
hostile text in every value that reaches a page (with the pages' Content-Security-Policy);
and 2 MB bodies on every POST route. Each attack is refused (or, for a replay, does nothing
twice) and leaves nothing stored and no Stripe call behind.
"""

from __future__ import annotations

import html
import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import func, select, update

from bot.stripe_ops.webhooks import WEBHOOK_PATH
from sandbox.slack_fake.interactions import submission
from sandbox.slack_fake.signing import slack_signature
from storage.models import (
    AuditEntry,
    Charge,
    OAuthState,
    OutboxMessage,
    StripeEvent,
    Vendor,
    utcnow,
)
from storage.repos import oauth_states
from tests.e2e.scenario import connected_vendor, customer_with_card, modal_inputs, open_charge_modal
from tests.e2e.vendors.test_onboarding import authorize, link_for
from tests.harness import (
    OPERATOR,
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    Connectbot,
)
from tests.stripe_events import encode, event, payout, sign

VENDOR, OTHER = "U0VENDOR1", "U0VENDOR2"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
STRICT_CSP = {
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
}


async def stored_events(cb: Connectbot) -> int:
    async with cb.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(StripeEvent)) or 0)


async def vendors(cb: Connectbot) -> list[Vendor]:
    async with cb.sessions() as session:
        return list((await session.scalars(select(Vendor))).all())


# --- Slack signatures ---------------------------------------------------------------------------


async def test_forged_and_stale_slack_signatures_are_refused(cb: Connectbot) -> None:
    sender = cb.slack_sender
    forged = await sender.command("/connect-vendor", "", user_id=VENDOR, signature="v0=" + "0" * 64)
    assert forged.status == 401
    other_secret = slack_signature("not-the-secret", int(time.time()), b"text=")
    assert (
        await sender.send(b"text=", "application/x-www-form-urlencoded", signature=other_secret)
    ).status == 401
    stale = int(time.time()) - 6 * 60  # Slack's window is five minutes
    old = await sender.command("/connect-vendor", "", user_id=VENDOR, timestamp=stale)
    assert old.status == 401  # signed correctly, but with a timestamp out of the window
    future = await sender.command("/connect-vendor", "", user_id=VENDOR, timestamp=stale + 720)
    assert future.status == 401
    assert await cb.slack.calls("chat.postMessage") == []
    async with cb.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OAuthState)) == 0


async def test_a_replayed_modal_submission_charges_once(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}> 25.00 jane@example.com", user=OPERATOR)
    trigger = await cb.slack.issue_trigger(OPERATOR, view_id=view["id"])
    payload = submission(cb.slack_sender.workspace, view, modal_inputs(view), OPERATOR, trigger)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = int(time.time())
    kind = "application/x-www-form-urlencoded"
    first = await cb.slack_sender.send(body, kind, timestamp=ts)
    again = await cb.slack_sender.send(body, kind, timestamp=ts)  # the same bytes and signature
    assert (first.status, again.status) == (200, 200)

    async def settled() -> list[Charge]:
        async with cb.sessions() as session:
            rows = list((await session.scalars(select(Charge))).all())
        return rows if rows and all(r.status != "pending" for r in rows) else []

    [charge] = await cb.until(settled, what="the charge")
    assert charge.status == "succeeded"
    intents = [r for r in await cb.stripe.requests() if r["path"] == "/v1/payment_intents"]
    assert len({r["idempotency_key"] for r in intents}) == 1
    # Past Slack's five minutes the same bytes are refused outright.
    late = await cb.slack_sender.send(body, kind, timestamp=ts - 301)
    assert late.status == 401


# --- Stripe webhook signatures ------------------------------------------------------------------


async def test_forged_stale_and_replayed_webhooks(cb: Connectbot) -> None:
    body = encode(event("payout.paid", payout(1000), account="acct_1NOBODY"))
    url = f"{cb.url}{WEBHOOK_PATH}"

    async def post(signature: str) -> int:
        headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
        async with cb.http.post(url, data=body, headers=headers) as resp:
            return resp.status

    assert await post(sign(body, "whsec_forged")) == 400
    assert await post(sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)) == 400
    assert await post("t=1,v1=") == 400
    assert await stored_events(cb) == 0
    signed = sign(body, WEBHOOK_SECRET)
    assert (await post(signed), await post(signed)) == (200, 200)  # a replay: a duplicate
    assert await stored_events(cb) == 1


# --- OAuth state --------------------------------------------------------------------------------


async def callback(cb: Connectbot, url: str) -> tuple[int, str]:
    async with cb.http.get(url, allow_redirects=False) as resp:
        return resp.status, html.unescape(await resp.text())


async def token_calls(cb: Connectbot) -> int:
    return len([r for r in await cb.stripe.requests() if r["path"] == "/oauth/token"])


async def test_a_state_used_by_someone_else_connects_only_its_owner(cb: Connectbot) -> None:
    # OTHER got VENDOR's link (forwarded, or read over a shoulder): whoever opens it, the
    # account is linked to the person the state was issued for, never to the browser's user.
    url = await authorize(cb, await link_for(cb, VENDOR))
    status, _ = await callback(cb, url)
    assert status == 200
    assert [(v.slack_user_id, v.team_id) for v in await vendors(cb)] == [(VENDOR, "T_SANDBOX")]
    again, page = await callback(cb, url)  # reused
    assert again == 400 and "already used" in page
    assert await token_calls(cb) == 1


async def test_forged_expired_and_foreign_states_are_refused(cb: Connectbot) -> None:
    url = await authorize(cb, await link_for(cb, VENDOR))
    query = parse_qs(urlsplit(url).query)
    code = query["code"][0]
    base = f"{cb.url}/stripe/oauth/callback?"
    for forged in ("x", "0" * 64, query["state"][0] + "x", "A" * 5000, HOSTILE):
        status, page = await callback(cb, base + urlencode({"code": code, "state": forged}))
        assert status == 400 and "isn't one we issued" in page and "<script>" not in page
    async with cb.sessions.begin() as session:
        await session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
    status, _ = await callback(cb, url)
    assert status == 400
    # A state issued for another workspace (SLACK_TEAM_ID changed since) is refused too.
    async with cb.sessions.begin() as session:
        foreign = await oauth_states.issue(
            session, team_id="T_OTHER", slack_user_id=OTHER, requested_by=OTHER
        )
    status, page = await callback(cb, base + urlencode({"code": code, "state": foreign}))
    assert status == 400 and "isn't one we issued" in page
    # Nor is a "declined" redirect carrying it recorded, or its vendor told anything; and the
    # state is left as it was (refused, not used up).
    declined = base + urlencode({"error": "access_denied", "state": foreign})
    assert (await callback(cb, declined))[0] == 200
    async with cb.sessions() as session:
        foreign_row = await session.scalar(
            select(OAuthState).where(OAuthState.state_hash == oauth_states.state_hash(foreign))
        )
        audited = (await session.scalars(select(AuditEntry.outcome))).all()
        queued = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.target == OTHER)
        )
    assert foreign_row is not None and foreign_row.used_at is None
    assert "declined" not in audited and queued == 0
    assert await token_calls(cb) == 0
    assert await vendors(cb) == []


# --- HTML injection and the pages' headers ------------------------------------------------------


def assert_safe_page(status: int, headers: dict[str, str], text: str, where: str) -> None:
    assert status < 500, (where, status)
    assert headers.get("Content-Type", "").startswith("text/html"), where
    policy = {p.strip() for p in headers.get("Content-Security-Policy", "").split(";")}
    assert STRICT_CSP <= policy, (where, policy)
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    lowered = text.lower()
    assert "<script" not in lowered and "onerror=" not in lowered.replace("onerror=alert", "")
    assert "<img" not in lowered, where


async def test_hostile_values_never_reach_a_page_unescaped(cb: Connectbot) -> None:
    state = await authorize(cb, await link_for(cb, VENDOR), decision="deny")
    denied = parse_qs(urlsplit(state).query)["state"][0]
    pages = [
        "/stripe/oauth/callback?"
        + urlencode({"error": "access_denied", "state": denied, "error_description": HOSTILE}),
        "/stripe/oauth/callback?" + urlencode({"error": HOSTILE, "error_description": HOSTILE}),
        "/stripe/oauth/callback?" + urlencode({"code": HOSTILE, "state": HOSTILE}),
        "/stripe/oauth/callback?code=" + "x" * 4000,
        "/stripe/oauth/callback",
        "/checkout/done?" + urlencode({"session_id": HOSTILE}),
        "/checkout/done?cancelled=1&" + urlencode({"x": HOSTILE}),
        "/stripe/onboarding/return?" + urlencode({"state": HOSTILE, "account": HOSTILE}),
        "/stripe/onboarding/refresh?" + urlencode({"state": HOSTILE}),
    ]
    for path in pages:
        async with cb.http.get(cb.url + path, allow_redirects=False) as resp:
            text = await resp.text()
            assert_safe_page(resp.status, dict(resp.headers), text, path)
    assert await token_calls(cb) == 0 and await vendors(cb) == []


# --- oversized bodies ---------------------------------------------------------------------------


async def test_two_megabyte_bodies_are_refused_on_every_post_route(cb: Connectbot) -> None:
    big = b"a=" + b"x" * (2 * 1024 * 1024)
    for path in ("/slack/events", WEBHOOK_PATH):
        ts = int(time.time())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": slack_signature(SIGNING_SECRET, ts, big),
            "Stripe-Signature": sign(big, WEBHOOK_SECRET),
        }
        async with cb.http.post(cb.url + path, data=big, headers=headers) as resp:
            assert resp.status in (400, 413), (path, resp.status)
    assert await stored_events(cb) == 0
    assert await cb.slack.calls("chat.postMessage") == []
    async with cb.http.get(cb.url + "/healthz") as resp:
        assert resp.status == 200  # still serving
