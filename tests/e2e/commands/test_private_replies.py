"""A reply meant for one person reaches them in every kind of conversation.

Through the command's response URL while it is good (5 uses, 30 minutes), else by DM; never a
chat.postEphemeral into a conversation the app may not see (a private channel without the app,
a DM between two people), where Slack answers `channel_not_found` and the reply is lost.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import OutboxMessage, ResponseUrl, utcnow
from storage.repos import response_urls
from tests.e2e.scenario import connected_vendor, customer_with_card, modal_inputs
from tests.harness import OPERATOR, OPERATOR_2, Connectbot

VENDOR = "U0VENDOR1"
SECRET = "C0SECRET"  # a private channel the app is not in
PAIR = "D0PAIR"  # a DM between two people


async def declare_conversations(cb: Connectbot) -> None:
    await cb.slack.declare_conversation(
        SECRET, "private", [OPERATOR, OPERATOR_2, VENDOR], bot_member=False, name="secret"
    )
    await cb.slack.declare_conversation(PAIR, "dm", [OPERATOR, OPERATOR_2])


async def typed_charge(cb: Connectbot, text: str, *, channel: str) -> tuple[str, dict[str, Any]]:
    """`/charge text` typed by the operator in `channel`: (its response key, the modal)."""
    before = cb.slack.view_ids()
    reply = await cb.slack_sender.command("/charge", text, user_id=OPERATOR, channel_id=channel)
    assert reply.status == 200 and not reply.body and reply.error is None, reply.body
    new = await cb.until(lambda: cb.slack.views_since(before), what="the modal")
    return str(reply.response_key), await cb.slack.view(new[0])


async def submit(cb: Connectbot, view: dict[str, Any]) -> None:
    reply = await cb.slack_sender.view_submission(view, modal_inputs(view), user_id=OPERATOR)
    assert reply.status == 200 and reply.error is None


async def declined_charge(cb: Connectbot, channel: str) -> tuple[str, dict[str, Any]]:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com", "pm_card_chargeDeclined")
    return await typed_charge(cb, f"<@{VENDOR}> 25 jane@example.com", channel=channel)


async def answers(cb: Connectbot, key: str) -> list[dict[str, Any]]:
    return [r for r in await cb.slack.responses(key) if r.get("ok")]


async def dms_to(cb: Connectbot, user: str) -> list[dict[str, Any]]:
    return [c for c in await cb.posted() if c["params"].get("channel") == f"D{user}"]


async def assert_nothing_lost(cb: Connectbot) -> None:
    """No ephemeral was tried anywhere, and no outbox message died."""
    assert await cb.slack.calls("chat.postEphemeral") == []
    async with cb.sessions() as session:
        dead = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.status == "dead"))
        ).all()
    assert [(m.kind, m.target, m.last_error) for m in dead] == []


@pytest.mark.parametrize("channel", [SECRET, PAIR])
async def test_a_declined_card_reaches_the_operator_where_the_app_is_not(
    cb: Connectbot, channel: str
) -> None:
    await declare_conversations(cb)
    key, view = await declined_charge(cb, channel)
    await submit(cb, view)
    [note] = await cb.until(lambda: answers(cb, key), what="the private decline")
    assert "Your card was declined." in note["text"] and note["response_type"] == "ephemeral"
    # The fake shows it to the operator alone, in the conversation where they typed /charge.
    shown = [m for m in await cb.slack.messages(channel) if "declined" in m["text"]]
    assert [m["ephemeral_for"] for m in shown] == [OPERATOR]
    assert await dms_to(cb, OPERATOR) == []
    await assert_nothing_lost(cb)


@pytest.mark.parametrize("channel", [SECRET, PAIR])
async def test_a_refused_refund_reaches_the_operator(cb: Connectbot, channel: str) -> None:
    await declare_conversations(cb)
    reply = await cb.slack_sender.command(
        "/refund", "cb_ch_nosuchcharge", user_id=OPERATOR, channel_id=channel
    )
    assert reply.status == 200 and not reply.body
    [note] = await cb.until(lambda: answers(cb, str(reply.response_key)), what="the refusal")
    assert "No connectbot charge `cb_ch_nosuchcharge`" in note["text"]
    await assert_nothing_lost(cb)


@pytest.mark.parametrize("channel", [SECRET, PAIR])
async def test_the_card_link_reaches_the_operator(cb: Connectbot, channel: str) -> None:
    await declare_conversations(cb)
    reply = await cb.slack_sender.command(
        "/add-customer", "jane@example.com Jane", user_id=OPERATOR, channel_id=channel
    )
    assert reply.status == 200 and not reply.body
    [note] = await cb.until(lambda: answers(cb, str(reply.response_key)), what="the link")
    assert "/checkout/" in str(note["blocks"]) or "checkout" in note["text"].lower()
    assert [m["ephemeral_for"] for m in await cb.slack.messages(channel)] == [OPERATOR]
    await assert_nothing_lost(cb)


async def test_a_used_up_response_url_means_a_dm(cb: Connectbot) -> None:
    await declare_conversations(cb)
    key, view = await declined_charge(cb, PAIR)
    # Someone else spent the URL's five uses (Slack counts every use, not only ours).
    url = cb.slack_sender.response_url(key, channel_id=PAIR, user_id=OPERATOR)
    for n in range(5):
        async with cb.http.post(url, json={"text": f"use {n}"}) as resp:
            assert resp.status == 200
    await submit(cb, view)
    [dm] = await cb.until(lambda: dms_to(cb, OPERATOR), what="the decline by DM")
    assert "Your card was declined." in dm["params"]["text"]
    refused = [r for r in await cb.slack.responses(key) if not r.get("ok")]
    assert [r["error"] for r in refused] == ["Expired url"]  # tried once, then never again
    async with cb.sessions() as session:
        [stored] = (await session.scalars(select(ResponseUrl))).all()
    assert stored.uses == response_urls.USES
    await assert_nothing_lost(cb)


async def test_an_expired_response_url_means_a_dm(cb: Connectbot) -> None:
    await declare_conversations(cb)
    key, view = await declined_charge(cb, SECRET)
    await cb.slack.advance_clock(31 * 60)  # the operator left the modal open for half an hour
    await submit(cb, view)
    [dm] = await cb.until(lambda: dms_to(cb, OPERATOR), what="the decline by DM")
    assert "Your card was declined." in dm["params"]["text"]
    assert await answers(cb, key) == []
    await assert_nothing_lost(cb)


async def test_a_response_url_connectbot_knows_is_expired_is_not_tried(cb: Connectbot) -> None:
    await declare_conversations(cb)
    key, view = await declined_charge(cb, SECRET)
    url = cb.slack_sender.response_url(key, channel_id=SECRET, user_id=OPERATOR)
    async with cb.sessions.begin() as session:  # as if it came 30 minutes ago
        await response_urls.remember(
            session, url, user_id=OPERATOR, received_at=utcnow() - timedelta(minutes=30)
        )
    await submit(cb, view)
    await cb.until(lambda: dms_to(cb, OPERATOR), what="the decline by DM")
    assert await cb.slack.responses(key) == []  # not even one use was spent on it


async def test_five_uses_are_counted_across_messages(cb: Connectbot) -> None:
    """The sixth use of one URL is never tried: it goes by DM (storage-level rule)."""
    url = await cb.slack.issue_response_url(OPERATOR, channel_id=PAIR)
    async with cb.sessions.begin() as session:
        await response_urls.remember(session, url, user_id=OPERATOR)
        await response_urls.remember(session, url, user_id=OPERATOR)  # a retry: no reset
    taken = []
    for _ in range(6):
        async with cb.sessions.begin() as session:
            taken.append(await response_urls.take_use(session, url))
    assert taken == [True] * 5 + [False]
    async with cb.sessions.begin() as session:
        later = utcnow() + timedelta(minutes=29, seconds=1)
        other = url + "&other=1"
        await response_urls.remember(session, other, user_id=OPERATOR)
        assert not await response_urls.take_use(session, other, now=later)  # a minute early
        assert not await response_urls.take_use(session, url + "&unknown=1")


async def test_a_response_url_slack_could_not_take_is_tried_again_with_a_counted_use(
    cb: Connectbot,
) -> None:
    await declare_conversations(cb)
    await cb.slack.fault("response_url", "503")
    reply = await cb.slack_sender.command(
        "/refund", "cb_ch_nosuchcharge", user_id=OPERATOR, channel_id=PAIR
    )
    key = str(reply.response_key)
    [note] = await cb.until(lambda: answers(cb, key), what="the refusal, second try")
    assert "No connectbot charge" in note["text"]
    assert [r.get("status") for r in await cb.slack.responses(key)] == [503, None]
    async with cb.sessions() as session:
        [stored] = (await session.scalars(select(ResponseUrl))).all()
    assert stored.uses == 2 and await dms_to(cb, OPERATOR) == []
    await assert_nothing_lost(cb)
