"""Fuzzing every modal submission, button and event through the real server (issue 13 §3).

The charge modal (its submission and its amount/currency keystrokes), Approve/Reject, the
vendor list's pages and the disconnect confirmation, the URL buttons, and App Home, each with
values Hypothesis draws (garbage, unicode digits, huge numbers, injection strings) and as any
role, against one running connectbot per test function (SQLite). Every example: 200 in time,
nothing logged at ERROR, every reply private and accepted by Slack, modal errors only on the
modal's input blocks, and nothing reaches Stripe when the input was refused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.money import parse_money
from bot.refusal import Refusal
from bot.views.approvals import APPROVE, REJECT
from bot.views.charge import AMOUNT, CURRENCY, CUSTOMER, DESCRIPTION
from bot.views.onboarding import CONNECT_LINK_ACTION
from bot.views.vendors import DISCONNECT_CANCEL_ACTION, DISCONNECT_CONFIRM_ACTION, PAGE_ACTION
from sandbox.slack_fake.reply import SlackReply
from storage.models import Charge
from tests.databases import fresh_database
from tests.e2e.commands.test_fuzz_commands import (
    AMOUNTS,
    BACKEND,
    CURRENCIES,
    GARBAGE,
    SPECIALS,
    USERS,
    VENDOR,
    World,
    calm,
    counts,
    error_log,
    fuzz_settings,
)
from tests.e2e.scenario import connected_vendor, customer_with_card, open_charge_modal
from tests.harness import ADMIN, OPERATOR, Connectbot, running_connectbot

NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["²", "١٢", "１", "0", "-1", "1.5", "1e3", "0x1", " 1", "", "NaN"]),
)
VALUES = st.one_of(NUMBERS, GARBAGE, SPECIALS, st.sampled_from(["cb_ch_", "cb_ch_x" * 5]))


class ModalWorld(World):
    def __init__(self, cb: Connectbot, errors: Any, *, view: dict[str, Any], vendor_id: int):
        super().__init__(cb, errors)
        self.view, self.vendor_id = view, vendor_id


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ModalWorld]:
    """One server: a connected vendor, a customer with a card, and an open charge modal."""
    with error_log() as errors:
        async with fresh_database(BACKEND, tmp_path, migrated=True) as url:
            async with running_connectbot(url) as cb:
                vendor = await connected_vendor(cb, VENDOR)
                await customer_with_card(cb, "jane@example.com")
                view = await open_charge_modal(cb, f"<@{VENDOR}|vera> 20.00", user=OPERATOR)
                await calm(cb)
                errors.take()
                yield ModalWorld(cb, errors, view=view, vendor_id=vendor.id)
                assert errors.take() == []


async def charges_stored(cb: Connectbot) -> int:
    async with cb.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Charge)) or 0)


def input_blocks(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view["blocks"] if b.get("type") == "input"}


def assert_private_and_accepted(responses: list[dict[str, Any]], where: Any) -> None:
    for response in responses:
        assert response.get("ok"), (where, response.get("error"), response.get("errors"))
        assert response.get("response_type") != "in_channel", (where, response)


def ack_json(reply: SlackReply, where: Any) -> dict[str, Any]:
    assert reply.status == 200, (where, reply.status, reply.error, reply.body[:300])
    if not reply.body:
        return {}
    answer = json.loads(reply.body)
    assert isinstance(answer, dict), (where, reply.body[:300])
    return answer


# --- the charge modal -------------------------------------------------------------------------

CUSTOMER_VALUES = st.one_of(st.just("1"), NUMBERS, GARBAGE)


@fuzz_settings(120)
@given(
    amount=st.one_of(AMOUNTS, GARBAGE, st.none()),
    currency=st.one_of(CURRENCIES, GARBAGE, st.none()),
    customer=st.one_of(CUSTOMER_VALUES, st.none()),
    description=st.one_of(GARBAGE, SPECIALS, st.none()),
    user=st.sampled_from(USERS),
)
@example(amount="20.00", currency="usd", customer="²", description=None, user=OPERATOR)
@example(amount="20.00", currency="usd", customer="9" * 30, description=None, user=OPERATOR)
@example(amount="20.00", currency="usd", customer="1", description="\x00", user=OPERATOR)
async def test_charge_modal_submissions(
    world: ModalWorld,
    amount: str | None,
    currency: str | None,
    customer: str | None,
    description: str | None,
    user: str,
) -> None:
    cb, view = world.cb, world.view
    where = (amount, currency, customer, (description or "")[:80], user)
    before, stored = await counts(cb), await charges_stored(cb)
    inputs = {AMOUNT: amount, CURRENCY: currency, CUSTOMER: customer, DESCRIPTION: description}
    reply = await cb.slack_sender.view_submission(view, inputs, user_id=user)
    answer = ack_json(reply, where)
    await calm(cb)
    assert world.errors.take() == [], where
    action = answer.get("response_action")
    assert action in (None, "errors", "update"), (where, answer)
    if action == "errors":
        assert set(answer["errors"]) <= input_blocks(view), (where, answer)
    refused = user not in (ADMIN, OPERATOR) or isinstance(
        parse_money(amount or "", default_currency=currency or "usd", max_amount=1_000_000),
        Refusal,
    )
    if refused:
        assert action == "errors", (where, answer)
    if action is not None:  # nothing charged, nothing stored
        after = await counts(cb)
        assert after[0] == before[0], (where, "a refused submission reached Stripe")
        assert await charges_stored(cb) == stored, where


@fuzz_settings(40)
@given(
    block=st.sampled_from([AMOUNT, CURRENCY]),
    value=st.one_of(AMOUNTS, CURRENCIES, GARBAGE),
    user=st.sampled_from(USERS),
)
async def test_charge_modal_keystrokes(
    world: ModalWorld, block: str, value: str, user: str
) -> None:
    cb = world.cb
    before = await counts(cb)
    view = await cb.slack.view(world.view["id"])
    reply = await cb.slack_sender.block_action(
        block, user_id=user, value=value, view=view, block_id=block
    )
    ack_json(reply, (block, value, user))
    await calm(cb)
    assert world.errors.take() == [], (block, value, user)
    assert (await counts(cb))[0] == before[0], "a keystroke reached Stripe"


# --- buttons ----------------------------------------------------------------------------------

BUTTONS = [APPROVE, REJECT, f"{PAGE_ACTION}_prev", f"{PAGE_ACTION}_next"]
BUTTONS += [DISCONNECT_CONFIRM_ACTION, DISCONNECT_CANCEL_ACTION, CONNECT_LINK_ACTION]
BUTTONS += ["customer_checkout_link"]


@fuzz_settings(120)
@given(action=st.sampled_from(BUTTONS), value=VALUES, user=st.sampled_from(USERS))
@example(action=DISCONNECT_CONFIRM_ACTION, value="9" * 30, user=ADMIN)
@example(action=DISCONNECT_CONFIRM_ACTION, value="²", user=ADMIN)
@example(action=APPROVE, value="x" * 5000, user=OPERATOR)
@example(action=f"{PAGE_ACTION}_next", value="9" * 30, user=OPERATOR)
async def test_buttons_with_any_value(
    world: ModalWorld, action: str, value: str, user: str
) -> None:
    cb = world.cb
    digits = value.strip()
    if digits.isascii() and digits.isdigit() and int(digits) == world.vendor_id:
        value = f"{value}x"  # the real vendor: an admin may disconnect it, a legitimate call
    where = (action, value[:80], user)
    before = await counts(cb)
    reply = await cb.slack_sender.block_action(
        action, user_id=user, value=value, action_type="button", channel_id="C_GENERAL"
    )
    ack_json(reply, where)
    if action not in (CONNECT_LINK_ACTION, "customer_checkout_link"):  # URL buttons: just an ack
        assert reply.response_key is not None
        key = reply.response_key

        async def answered() -> list[dict[str, Any]]:
            return await cb.slack.responses(key)

        await cb.until(answered, timeout=10, what=f"an answer to {where}")
    await calm(cb)
    assert world.errors.take() == [], where
    assert_private_and_accepted(await cb.slack.responses(reply.response_key or ""), where)
    after = await counts(cb)
    assert (after[0], after[1]) == (before[0], before[1]), (where, "reached Stripe or a channel")


# --- App Home ---------------------------------------------------------------------------------


@fuzz_settings(30)
@given(
    user=st.one_of(st.sampled_from(USERS), st.text(max_size=20), SPECIALS),
    tab=st.sampled_from(["home", "messages", "", "x"]),
)
async def test_app_home_for_anyone(world: ModalWorld, user: str, tab: str) -> None:
    cb = world.cb
    before = await counts(cb)
    event = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab}
    event["event_ts"] = "1.0"
    published = len(await cb.slack.calls("views.publish"))
    reply = await cb.slack_sender.event(event)
    assert reply.status == 200, (user, tab, reply.status, reply.body[:300])
    if tab == "home":  # the tab is published after the ack

        async def tried() -> bool:
            return len(await cb.slack.calls("views.publish")) > published

        await cb.until(tried, what="views.publish")
    await calm(cb)
    assert world.errors.take() == [], (user, tab)
    assert (await counts(cb))[0] == before[0]
