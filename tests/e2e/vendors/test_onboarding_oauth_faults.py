"""Connect OAuth codes are exchanged once, whatever happens to Stripe's answer.

A lost answer (timeout, dropped connection) or an error (500) leaves connectbot not knowing
whether Stripe connected the account; sending the code again would make Stripe revoke that
connection. So the code goes to Stripe exactly once, the vendor's page says what happened, and
a fresh link arrives by DM. A code presented a second time (Stripe: `invalid_grant`, tokens
revoked) disconnects the vendor it had connected, at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from bot.stripe_ops import client
from storage.models import AuditEntry, OAuthState
from tests.e2e.vendors.test_onboarding import (
    VENDOR,
    VENDOR_B,
    authorize,
    button_url,
    channel_texts,
    connect,
    link_for,
    open_page,
    reply_to,
    stored_vendor,
    stripe_calls,
    vendor_count,
)
from tests.harness import ADMIN, Connectbot, running_connectbot

FRESH = "sent you a fresh"


@pytest.fixture
async def cb_impatient(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Connectbot]:
    """connectbot whose OAuth client gives up after half a second (a test-sized timeout)."""
    monkeypatch.setattr(client, "OAUTH_TIMEOUT_SECONDS", 0.5)
    async with running_connectbot(database_url) as running:
        yield running


@pytest.fixture
async def cb_no_webhooks(database_url: str) -> AsyncIterator[Connectbot]:
    """connectbot that never hears Stripe's webhooks: what it does, it does by itself."""
    async with running_connectbot(database_url, deliver_webhooks=False) as running:
        yield running


async def fresh_link_dms(cb: Connectbot, user: str) -> list[dict[str, Any]]:
    """The DMs to `user` that carry a fresh link after a failed attempt."""
    return [
        m for m in await cb.slack.messages(f"D{user}") if "didn't go through" in m.get("text", "")
    ]


async def disconnection_notes(cb: Connectbot) -> list[str]:
    return [t for t in await channel_texts(cb) if "disconnected from Stripe" in t]


def code_of(callback: str) -> str:
    return parse_qs(urlsplit(callback).query)["code"][0]


async def state_used(cb: Connectbot) -> list[bool]:
    """Per issued state, oldest first: whether it is used up."""
    async with cb.sessions() as session:
        states = (await session.scalars(select(OAuthState).order_by(OAuthState.id))).all()
    return [s.used_at is not None for s in states]


async def exchanges_of(cb: Connectbot, code: str) -> list[dict[str, Any]]:
    return [r for r in await stripe_calls(cb, "/oauth/token") if r["params"].get("code") == code]


async def assert_spent_and_fresh_link_sent(cb: Connectbot, callback: str) -> str:
    """After a failed exchange: the state cannot be replayed, and a fresh link was DMed.

    Returns the fresh link's URL.
    """
    status, page = await open_page(cb, callback)  # reloading the page: refused, Stripe not called
    assert status == 400 and "This link was already used" in page
    assert "you're connected" not in page and "If you just connected, you're done" in page
    dms = await cb.until(lambda: fresh_link_dms(cb, VENDOR), what="the fresh link DM")
    assert len(dms) == 1
    fresh = button_url(dms[0])
    assert code_of(callback) not in fresh and fresh != callback
    return fresh


async def test_a_timed_out_exchange_is_sent_once_and_a_fresh_link_connects(
    cb_impatient: Connectbot,
) -> None:
    cb = cb_impatient
    await cb.stripe.fault("POST", "/oauth/token", "timeout", seconds=1.5)
    callback = await authorize(cb, await link_for(cb, VENDOR))
    status, page = await open_page(cb, callback)
    assert status == 502 and "couldn't confirm" in page and FRESH in page
    assert "Traceback" not in page
    assert await vendor_count(cb) == 0
    assert await state_used(cb) == [True, False]  # spent; the fresh link's is new

    # Stripe carries the held exchange out after connectbot gave up: still one request.
    async def carried_out() -> bool:
        return [r["status"] for r in await exchanges_of(cb, code_of(callback))] == [200]

    await cb.until(carried_out, what="the held exchange to finish at Stripe")
    fresh = await assert_spent_and_fresh_link_sent(cb, callback)

    status, page = await open_page(cb, await authorize(cb, fresh))
    assert status == 200 and "You're connected" in page
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.status == "connected"
    assert len(await exchanges_of(cb, code_of(callback))) == 1
    assert len(await stripe_calls(cb, "/oauth/token")) == 2


async def test_a_dropped_answer_is_not_retried_and_the_fresh_link_connects(
    cb: Connectbot,
) -> None:
    await cb.stripe.fault("POST", "/oauth/token", "drop")
    callback = await authorize(cb, await link_for(cb, VENDOR))
    status, page = await open_page(cb, callback)
    assert status == 502 and "couldn't confirm" in page and FRESH in page
    [dropped] = await stripe_calls(cb, "/oauth/token")
    assert dropped["status"] == 200 and dropped.get("dropped")  # Stripe connected the account
    assert await vendor_count(cb) == 0
    fresh = await assert_spent_and_fresh_link_sent(cb, callback)

    vendor_page = await open_page(cb, await authorize(cb, fresh))
    assert vendor_page[0] == 200
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.status == "connected"
    # The same Stripe account the lost exchange connected (the link prefills the same email).
    authorized = [e for e in await cb.stripe.events() if e["type"].endswith(".authorized")]
    assert {e["account"] for e in authorized} == {vendor.stripe_account_id}
    assert [r["status"] for r in await stripe_calls(cb, "/oauth/token")] == [200, 200]
    assert len(await exchanges_of(cb, code_of(callback))) == 1
    await cb.events_handled()  # the two authorized webhooks change nothing
    after = await stored_vendor(cb, VENDOR)
    assert after is not None and after.status == "connected"


async def test_a_500_is_not_retried_by_stripe_python_either(cb: Connectbot) -> None:
    await cb.stripe.fault("POST", "/oauth/token", "500", count=3)
    callback = await authorize(cb, await link_for(cb, VENDOR))
    status, page = await open_page(cb, callback)
    assert status == 502 and "couldn't confirm" in page and FRESH in page
    assert [r["status"] for r in await stripe_calls(cb, "/oauth/token")] == [500]
    assert await vendor_count(cb) == 0
    await assert_spent_and_fresh_link_sent(cb, callback)
    async with cb.sessions() as session:
        outcomes = (
            await session.scalars(
                select(AuditEntry.outcome).where(AuditEntry.action == "vendor.connect")
            )
        ).all()
    assert outcomes == ["exchange_unconfirmed"]


async def test_an_expired_code_is_rejected_with_a_fresh_link(cb: Connectbot) -> None:
    callback = await authorize(cb, await link_for(cb, VENDOR))
    await cb.stripe.advance_clock(11 * 60)  # Stripe's code is older than its 10 minutes
    status, page = await open_page(cb, callback)
    assert status == 400 and "Stripe rejected" in page and FRESH in page
    assert await vendor_count(cb) == 0
    await assert_spent_and_fresh_link_sent(cb, callback)


async def reuse(cb: Connectbot, code: str, user: str) -> tuple[int, str]:
    """`code` brought back to connectbot with a fresh, valid state of `user`'s."""
    state = parse_qs(urlsplit(await link_for(cb, user)).query)["state"][0]
    return await open_page(
        cb, f"{cb.url}/stripe/oauth/callback?" + urlencode({"code": code, "state": state})
    )


async def test_a_reused_code_disconnects_its_vendor_at_once(cb_no_webhooks: Connectbot) -> None:
    cb = cb_no_webhooks
    callback = await authorize(cb, await link_for(cb, VENDOR))
    assert (await open_page(cb, callback))[0] == 200
    await cb.until(lambda: channel_texts(cb), what="the connected note")

    status, page = await reuse(cb, code_of(callback), VENDOR_B)
    assert status == 400 and "Stripe rejected" in page
    vendor = await stored_vendor(cb, VENDOR)  # no webhook comes: connectbot knew by itself
    assert vendor is not None and vendor.status == "disconnected"
    assert await stored_vendor(cb, VENDOR_B) is None
    gone = await cb.until(lambda: disconnection_notes(cb), what="the disconnection message")
    assert vendor.stripe_account_id in gone[0]
    b_dms = await cb.until(lambda: fresh_link_dms(cb, VENDOR_B), what="B's fresh link")
    assert len(b_dms) == 1
    assert [r["status"] for r in await stripe_calls(cb, "/oauth/token")] == [200, 400]


async def test_the_webhook_after_a_reuse_adds_no_second_message(cb: Connectbot) -> None:
    callback = await authorize(cb, await link_for(cb, VENDOR))
    assert (await open_page(cb, callback))[0] == 200
    assert (await reuse(cb, code_of(callback), VENDOR_B))[0] == 400
    await cb.events_handled()  # account.application.deauthorized delivered and handled
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.status == "disconnected"
    await cb.settled()
    assert len(await disconnection_notes(cb)) == 1


async def test_reusing_an_old_code_leaves_a_later_connection_alone(cb: Connectbot) -> None:
    first = await authorize(cb, await link_for(cb, VENDOR))
    assert (await open_page(cb, first))[0] == 200
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None
    form = {  # the vendor disconnects in their Stripe Dashboard, then connects again
        "client_id": "ca_connectbot",
        "stripe_user_id": vendor.stripe_account_id,
        "client_secret": "sk_test_connectbot",
    }
    async with cb.http.post(f"{cb.stripe.url}/oauth/deauthorize", data=form) as resp:
        assert resp.status == 200
    await cb.events_handled()
    again = await connect(cb, VENDOR)
    assert again.stripe_account_id == vendor.stripe_account_id

    assert (await reuse(cb, code_of(first), VENDOR_B))[0] == 400
    await cb.events_handled()
    still = await stored_vendor(cb, VENDOR)
    assert still is not None and still.status == "connected"


async def admin_disconnects(cb: Connectbot, user: str) -> dict[str, Any]:
    """`/vendors disconnect @user`, confirmed by the admin; the answer to the confirmation."""
    reply = await cb.slack_sender.command("/vendors", f"disconnect <@{user}|v>", user_id=ADMIN)
    question = await reply_to(cb, reply.response_key)
    message = {"blocks": question["blocks"], "channel": "C_GENERAL"}
    click = await cb.slack_sender.block_action(
        "vendors_disconnect_confirm", user_id=ADMIN, message=message
    )
    return dict(await reply_to(cb, click.response_key))


async def test_a_lost_deauthorization_answer_is_retried_safely(cb: Connectbot) -> None:
    """Deauthorizing keeps stripe-python's retries: a retry of one Stripe carried out answers
    `invalid_client` (not connected), which connectbot records as disconnected."""
    vendor = await connect(cb, VENDOR)
    await cb.stripe.fault("POST", "/oauth/deauthorize", "drop")
    done = await admin_disconnects(cb, VENDOR)
    assert "is disconnected" in done["text"]
    calls = await stripe_calls(cb, "/oauth/deauthorize")
    assert [(c["status"], bool(c.get("dropped"))) for c in calls] == [(200, True), (401, False)]
    row = await stored_vendor(cb, VENDOR)
    assert row is not None and row.status == "disconnected"
    assert row.stripe_account_id == vendor.stripe_account_id


async def test_a_deauthorization_webhook_that_wins_the_race_names_the_admin(
    cb: Connectbot,
) -> None:
    """Stripe disconnects the account, but connectbot never hears back (every answer lost):
    the admin is told Stripe could not be reached, and the webhook, handled first, records it
    in their name (their request was recorded before Stripe was asked)."""
    vendor = await connect(cb, VENDOR)
    await cb.stripe.fault("POST", "/oauth/deauthorize", "drop", count=10)
    done = await admin_disconnects(cb, VENDOR)
    assert "could not be reached" in done["text"]
    await cb.events_handled()  # account.application.deauthorized
    row = await stored_vendor(cb, VENDOR)
    assert row is not None and row.status == "disconnected"

    async def notes() -> list[str]:
        return [t for t in await channel_texts(cb) if "was disconnected" in t]

    [note] = await cb.until(notes, what="the disconnection message")
    assert vendor.stripe_account_id in note and f"by <@{ADMIN}>" in note
    await cb.settled()
    assert len(await notes()) == 1
