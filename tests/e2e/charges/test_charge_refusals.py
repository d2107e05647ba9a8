"""/charge refusals: private, naming the problem, with the usage; no
modal, no row, no Stripe call."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from storage.models import Vendor
from tests.e2e.charges.test_charge import VENDOR
from tests.e2e.scenario import (
    charges_in_db,
    connected_vendor,
    customer_with_card,
    open_charge_modal,
    submit,
)
from tests.harness import ADMIN, OPERATOR, Connectbot

USAGE = "/charge @vendor 100.00 [currency] [email] [description]"
V = f"<@{VENDOR}|vendor>"


async def refused(cb: Connectbot, text: str, *, user: str = OPERATOR) -> str:
    reply = await cb.slack_sender.command("/charge", text, user_id=user)
    assert reply.status == 200 and reply.body  # an ack's text: shown only to the caller
    return reply.body


async def nothing_happened(cb: Connectbot) -> None:
    assert [c for c in await cb.slack.calls("views.open")] == []
    assert await charges_in_db(cb) == []
    assert [r for r in await cb.stripe.requests() if r["path"] == "/v1/payment_intents"] == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"{V} 0 jane@example.com", "must be more than zero"),
        (f"{V} -5 jane@example.com", "`-5`: amounts must be positive"),
        (f"{V} abc jane@example.com", "`abc` is not an amount"),
        (f"{V} 1e3 jane@example.com", "`1e3` uses exponent notation"),
        (f"{V} 100.001 usd jane@example.com", "more decimals than USD allows (2)"),
        (f"{V} 100.5 jpy jane@example.com", "more decimals than JPY allows (0)"),
        (f"{V} 0.49 usd jane@example.com", "below Stripe's minimum charge for USD ($0.50)"),
        (f"{V} 10000.01 jane@example.com", "above the limit of $10,000.00"),
        (f"{V} 100xyz jane@example.com", "`xyz` is not a currency"),
        (f"{V} NaN jane@example.com", "`NaN` is not a number"),
        ("100.00 jane@example.com", "Start with the vendor"),
        (
            f"{V} 100 not-an-email@",
            "`not-an-email@` isn't an email address; the domain needs a dot",
        ),
        ("<@U0NOBODY> 100 jane@example.com", "connected vendor"),
        (f"{V} 100 nobody@example.com", "isn't a customer"),
        (f"{V} 100 nocard@example.com", "no card"),
    ],
)
async def test_each_refusal_is_private_with_the_usage(
    cb: Connectbot, text: str, problem: str
) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    # A customer on file who has not saved a card yet: /add-customer answered, link unused.
    added = await cb.slack_sender.command("/add-customer", "nocard@example.com", user_id=OPERATOR)
    await cb.slack.responses_when(str(added.response_key))
    assert problem  # every refusal names its own problem, not just the usage
    answer = await refused(cb, text)
    assert problem in answer and USAGE in answer
    await nothing_happened(cb)


async def test_a_non_operator_is_refused(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    answer = await refused(cb, f"{V} 100 jane@example.com", user="U0SOMEONE")
    assert (
        answer
        == "Only connectbot operators can charge customers. Ask a connectbot admin if you need to."
    )
    await nothing_happened(cb)


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        ({"status": "disconnected"}, "disconnected"),
        ({"charges_enabled": False}, "hasn't enabled charges"),
        ({"fee_fixed": 10000, "fee_currency": "usd"}, "platform fee ($100.00)"),
    ],
)
async def test_a_vendor_who_cannot_be_charged_for_is_refused(
    cb: Connectbot, state: dict[str, object], problem: str
) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    async with cb.sessions.begin() as session:
        await session.execute(update(Vendor).where(Vendor.id == vendor.id).values(**state))
    answer = await refused(cb, f"{V} 100 jane@example.com")
    assert problem in answer
    await nothing_happened(cb)


async def test_help_and_a_vendor_disconnected_after_the_modal_opened(cb: Connectbot) -> None:
    assert "Usage" in await refused(cb, "help", user=OPERATOR)
    not_theirs = await refused(cb, "help", user="U0SOMEONE")  # not the usage of what they can't run
    assert "Only connectbot operators can charge customers" in not_theirs
    assert "Usage" not in not_theirs
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"{V} 100 jane@example.com", user=ADMIN)
    async with cb.sessions.begin() as session:
        await session.execute(
            update(Vendor).where(Vendor.id == vendor.id).values(status="disconnected")
        )
    reply = await submit(cb, view)
    assert "disconnected" in reply.json["errors"]["amount"]
    assert await charges_in_db(cb) == []


async def test_a_non_operator_cannot_submit_a_modal(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"{V} 100 jane@example.com", user=OPERATOR)
    reply = await cb.slack_sender.view_submission(view, {}, user_id="U0SOMEONE")
    assert "Only connectbot operators" in reply.json["errors"]["amount"]
    assert await charges_in_db(cb) == []
