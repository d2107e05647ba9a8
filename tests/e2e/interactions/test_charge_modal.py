"""The /charge confirmation modal never shows a stale fee (issue 12).

Editing the amount or the currency sends block_actions (dispatch_action); connectbot answers
with views.update carrying the view's hash and the fee for what the modal now holds. The
submission is checked again on the server with the command's rules and refused on the field;
a submission whose fee the modal did not show charges nothing and shows the fee first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from sandbox.slack_fake.payloads import state_values
from storage.models import Vendor
from tests.e2e.charges.test_charge import VENDOR
from tests.e2e.scenario import (
    assert_db_matches_stripe,
    charges_in_db,
    connected_vendor,
    customer_with_card,
    modal_inputs,
    open_charge_modal,
    submit,
)
from tests.harness import OPERATOR, Connectbot

V = f"<@{VENDOR}|vendor>"


async def type_into(cb: Connectbot, view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The operator changes inputs (block_id → value; the last one named fires the action) and
    Slack reports it: a block_actions payload for that element with the modal's whole state.
    Returns the modal once connectbot's views.update for it has landed."""
    acted, value = list(changes.items())[-1]
    seen = view["hash"]
    acting = {**view, "state": {"values": state_values(view, modal_inputs(view, **changes))}}
    reply = await cb.slack_sender.block_action(acted, user_id=OPERATOR, value=value, view=acting)
    assert reply.status == 200

    async def updated() -> dict[str, Any] | None:
        current = await cb.slack.view(view["id"])
        return current if current["hash"] != seen else None

    return dict(await cb.until(updated, what="the modal to be updated"))


def preview_of(view: dict[str, Any]) -> str:
    [block] = [b for b in view["blocks"] if b.get("block_id") == "fee_preview"]
    return " ".join(e["text"] for e in block["elements"])


def shown(view: dict[str, Any]) -> Any:
    return json.loads(view["private_metadata"])["shown"]


async def payment_intent_calls(cb: Connectbot) -> list[dict[str, Any]]:
    return [r for r in await cb.stripe.requests() if r["path"].startswith("/v1/payment_intents")]


async def opened(cb: Connectbot, text: str = f"{V} 100 jane@example.com") -> dict[str, Any]:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    return await open_charge_modal(cb, text, user=OPERATOR)


async def test_changing_the_amount_updates_the_fee_and_charges_what_was_shown(
    cb: Connectbot,
) -> None:
    view = await opened(cb)
    assert "platform fee $10.00" in preview_of(view)
    [amount] = [b for b in view["blocks"] if b.get("block_id") == "amount"]
    assert amount["dispatch_action"] is True
    triggers = amount["element"]["dispatch_action_config"]["trigger_actions_on"]
    assert set(triggers) == {"on_enter_pressed", "on_character_entered"}

    after = await type_into(cb, view, amount="250.50")

    [call] = [c for c in await cb.slack.calls("views.update") if c["ok"]]
    assert call["params"]["view_id"] == view["id"] and call["params"]["hash"] == view["hash"]
    assert "platform fee $25.05 · vendor receives $225.45" in preview_of(after)
    assert shown(after) == {"amount": 25050, "currency": "usd", "fee": 2505}
    assert after["blocks"][1]["block_id"] == "amount"  # the inputs stay, so the typing does

    reply = await submit(cb, after, amount="250.50")
    assert reply.status == 200 and not reply.body  # the modal closes: what was shown is charged
    [row] = await cb.until(lambda: _settled(cb), what="the charge")
    assert (row.amount, row.application_fee_amount, row.status) == (25050, 2505, "succeeded")
    vendor_account = str((await payment_intent_calls(cb))[0]["stripe_account"])
    await assert_db_matches_stripe(cb, vendor_account)


async def test_changing_the_currency_updates_the_fee(cb: Connectbot) -> None:
    view = await opened(cb)
    after = await type_into(cb, view, currency="eur")
    assert "platform fee €10.00 · vendor receives €90.00" in preview_of(after)
    assert shown(after) == {"amount": 10000, "currency": "eur", "fee": 1000}

    jpy = await type_into(cb, after, currency="jpy")
    assert "more decimals than JPY allows" in preview_of(jpy) and shown(jpy) is None
    yen = await type_into(cb, jpy, currency="jpy", amount="1000")
    assert "platform fee ¥100 · vendor receives ¥900" in preview_of(yen)
    assert shown(yen) == {"amount": 1000, "currency": "jpy", "fee": 100}


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0.10", "minimum"),
        ("10000.01", "limit"),
        ("abc", "amount"),
        ("1e3", "exponent"),
        ("100.001", "decimals"),
        ("EUR 100", "EUR"),
    ],
)
async def test_a_bad_amount_shows_in_the_preview_and_is_refused_on_submit(
    cb: Connectbot, typed: str, problem: str
) -> None:
    view = await opened(cb)
    after = await type_into(cb, view, amount=typed)
    assert problem.lower() in preview_of(after).lower() and shown(after) is None

    reply = await submit(cb, after, amount=typed)
    assert reply.json["response_action"] == "errors"
    assert problem.lower() in reply.json["errors"]["amount"].lower()
    assert await charges_in_db(cb) == []
    assert await payment_intent_calls(cb) == []


async def test_an_amount_whose_fee_was_not_shown_is_shown_before_it_is_charged(
    cb: Connectbot,
) -> None:
    view = await opened(cb)
    # Charge pressed before the preview caught up with the typing: nothing is charged ...
    reply = await submit(cb, view, amount="300")
    assert reply.json["response_action"] == "update"
    updated = {**view, **reply.json["view"]}
    assert "platform fee $30.00" in preview_of(updated) and "changed" in preview_of(updated)
    assert shown(updated) == {"amount": 30000, "currency": "usd", "fee": 3000}
    assert await charges_in_db(cb) == [] and await payment_intent_calls(cb) == []

    # ... until the operator, now seeing the fee, presses Charge again.
    reply = await submit(cb, updated, amount="300")
    assert reply.status == 200 and not reply.body
    [row] = await cb.until(lambda: _settled(cb), what="the charge")
    assert (row.amount, row.application_fee_amount) == (30000, 3000)


async def test_a_fee_changed_after_the_modal_opened_is_shown_or_refused(cb: Connectbot) -> None:
    view = await opened(cb)
    async with cb.sessions.begin() as session:  # an admin sets the vendor's fee meanwhile
        await session.execute(update(Vendor).values(fee_percent=20))
    reply = await submit(cb, view)
    assert reply.json["response_action"] == "update", reply.json
    updated = {**view, **reply.json["view"]}
    assert "platform fee $20.00" in preview_of(updated) and await charges_in_db(cb) == []
    assert (await submit(cb, updated)).status == 200
    [row] = await cb.until(lambda: _settled(cb), what="the charge")
    assert (row.amount, row.application_fee_amount) == (10000, 2000)  # the vendor's own fee

    view = await open_charge_modal(cb, f"{V} 100 jane@example.com", user=OPERATOR)
    async with cb.sessions.begin() as session:  # now a fee the amount cannot cover
        await session.execute(update(Vendor).values(fee_fixed=10000, fee_currency="usd"))
    reply = await submit(cb, view)
    assert "platform fee" in reply.json["errors"]["amount"]
    assert len(await charges_in_db(cb)) == 1 and len(await payment_intent_calls(cb)) == 1


async def test_an_answer_to_an_older_keystroke_does_not_overwrite_a_newer_view(
    cb: Connectbot,
) -> None:
    view = await opened(cb)
    newer = await type_into(cb, view, amount="120")
    # A block_actions payload for an earlier state of the modal (its older hash) arrives late.
    acting = {**view, "state": {"values": state_values(view, modal_inputs(view, amount="12"))}}
    reply = await cb.slack_sender.block_action("amount", user_id=OPERATOR, value="12", view=acting)
    assert reply.status == 200

    async def refused() -> list[dict[str, Any]]:
        return [c for c in await cb.slack.calls("views.update") if c["error"] == "hash_conflict"]

    await cb.until(refused, what="the stale update to be refused")
    current = await cb.slack.view(view["id"])
    assert "platform fee $12.00" in preview_of(current) and shown(current)["amount"] == 12000
    assert current["hash"] == newer["hash"]


async def _settled(cb: Connectbot) -> list[Any]:
    rows = await charges_in_db(cb)
    return rows if rows and all(r.status != "pending" for r in rows) else []
