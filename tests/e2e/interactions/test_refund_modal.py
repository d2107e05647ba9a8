"""Refunds from where the charge is: the Refund button on a charge confirmation and the picker
`/refund` opens with no argument; the same checks, key and outcome as `/refund <charge>`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import AuditEntry, Refund
from tests.e2e.refunds.test_refund import VENDOR, VENDOR_CHANNEL, charged
from tests.e2e.scenario import charge_row, charge_through_modal, modal_inputs
from tests.harness import OPERATOR, Connectbot


async def confirmation(cb: Connectbot, charge_id: str) -> dict[str, Any]:
    """The succeeded message for `charge_id` in the vendor's channel, as the fake stores it."""

    async def found() -> list[dict[str, Any]]:
        return [
            m
            for m in await cb.slack.messages(VENDOR_CHANNEL)
            if charge_id in str(m.get("blocks")) and "Charged" in m.get("text", "")
        ]

    [message] = await cb.until(found, what="the charge confirmation")
    return message


async def click_refund(cb: Connectbot, message: dict[str, Any], user: str) -> Any:
    return await cb.slack_sender.block_action(
        "refund_open", user_id=user, message=message, channel_id=VENDOR_CHANNEL
    )


async def new_view(cb: Connectbot, before: set[str]) -> dict[str, Any]:
    def opened() -> list[str]:
        return cb.slack.views_since(before)

    [view_id] = await cb.until(opened, what="the refund modal")
    return await cb.slack.view(view_id)


async def refund_posts(cb: Connectbot) -> list[dict[str, Any]]:
    return [r for r in await cb.stripe.requests() if r["path"] == "/v1/refunds"]


async def private_answer(cb: Connectbot, key: str) -> str:
    answers = await cb.until(lambda: cb.slack.responses(key), what="the private answer")
    return str(answers[-1]["text"])


async def test_the_refund_button_opens_a_prefilled_modal_and_refunds_once(cb: Connectbot) -> None:
    charge, _ = await charged(cb)
    message = await confirmation(cb, charge.id)
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == charge.id and button["text"]["type"] == "plain_text"

    outsider = await click_refund(cb, message, "U0NOBODY")  # not an operator: told, no modal
    answer = await private_answer(cb, str(outsider.response_key))
    assert "Only connectbot operators" in answer
    before = cb.slack.view_ids()
    assert not cb.slack.views_since(before)

    click = await click_refund(cb, message, OPERATOR)
    view = await new_view(cb, before)
    assert view["callback_id"] == "refund_modal"
    inputs = modal_inputs(view)
    assert inputs["refund_amount"] == "100.00"  # what remains, prefilled
    assert charge.id in str(view["blocks"]) and "jane@example.com" in str(view["blocks"])

    # Too much: said in the modal, on the amount, and Stripe is not called.
    reply = await cb.slack_sender.view_submission(
        view, {**inputs, "refund_amount": "150", "refund_reason": "returned"}, user_id=OPERATOR
    )
    assert reply.json["response_action"] == "errors"
    assert "more than what remains to refund ($100.00)" in reply.json["errors"]["refund_amount"]
    assert await refund_posts(cb) == []

    # $40 with a reason; the same submission again (a double click) is the same refund.
    ok = {**inputs, "refund_amount": "40", "refund_reason": "Item returned"}
    reply = await cb.slack_sender.view_submission(view, ok, user_id=OPERATOR)
    assert reply.status == 200 and not reply.body  # the modal closes
    # The outcome comes privately, where the button was clicked.
    answer = await private_answer(cb, str(click.response_key))
    assert "Refunded $40.00" in answer and "platform fee refunded $4.00" in answer
    await cb.until(lambda: _refunds(cb, 1), what="the refund")
    again = await cb.slack_sender.view_submission(view, ok, user_id=OPERATOR)
    assert again.status == 200
    await cb.settled()
    refunds = await _refunds(cb, 1)
    assert [(r.amount, r.status) for r in refunds] == [(4_000, "succeeded")]
    assert refunds[0].idempotency_key == f"refund:{charge.id}:view:{view['id']}"
    assert len(await refund_posts(cb)) <= 2  # a replay carries the same key: one refund
    assert (await charge_row(cb, charge.id)).amount_refunded == 4_000
    async with cb.sessions() as session:
        [audit] = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "refund.requested"))
        ).all()
    assert audit.detail is not None and audit.detail["reason"] == "Item returned"


async def _refunds(cb: Connectbot, count: int) -> list[Refund]:
    async with cb.sessions() as session:
        rows = list((await session.scalars(select(Refund).order_by(Refund.id))).all())
    return rows if len(rows) >= count and all(r.status != "pending" for r in rows) else []


async def test_a_role_lost_before_submit_is_refused_in_the_modal(cb: Connectbot) -> None:
    charge, _ = await charged(cb)
    message = await confirmation(cb, charge.id)
    before = cb.slack.view_ids()
    await click_refund(cb, message, OPERATOR)
    view = await new_view(cb, before)
    reply = await cb.slack_sender.view_submission(
        view, {**modal_inputs(view), "refund_reason": "x"}, user_id="U0NOBODY"
    )
    assert reply.json["response_action"] == "errors"
    assert "Only connectbot operators" in reply.json["errors"]["refund_amount"]
    assert await refund_posts(cb) == []


async def test_refund_with_no_argument_offers_the_recent_charges(cb: Connectbot) -> None:
    first, _ = await charged(cb)
    second = await charge_through_modal(
        cb, f"<@{VENDOR}|vera> 25.00 jane@example.com", user=OPERATOR
    )
    # Fully refund the first: it is no longer offered.
    reply = await cb.slack_sender.command("/refund", first.id, user_id=OPERATOR)
    assert "Refunded $100.00" in await private_answer(cb, str(reply.response_key))

    refused = await cb.slack_sender.command("/refund", "", user_id="U0NOBODY")
    assert "Only connectbot operators" in refused.body and "Usage" not in refused.body

    before = cb.slack.view_ids()
    reply = await cb.slack_sender.command("/refund", "", user_id=OPERATOR)
    assert reply.status == 200 and not reply.body
    view = await new_view(cb, before)
    [picker] = [b for b in view["blocks"] if b.get("block_id") == "refund_charge"]
    options = picker["element"]["options"]
    assert [o["value"] for o in options] == [second.id]
    assert options[0]["text"]["type"] == "plain_text"
    assert options[0]["text"]["text"] == f"$25.00 · jane@example.com · {second.id}"
    # Nothing picked: said on the picker.
    reply = await cb.slack_sender.view_submission(view, {"refund_reason": "x"}, user_id=OPERATOR)
    assert reply.json["response_action"] == "errors" and "refund_charge" in reply.json["errors"]
    # Picked, amount left empty: everything that remains is refunded.
    reply = await cb.slack_sender.view_submission(
        view, {"refund_charge": second.id, "refund_reason": "Duplicate order"}, user_id=OPERATOR
    )
    assert reply.status == 200 and not reply.body
    await cb.until(lambda: _refunds(cb, 2), what="the refund")
    assert (await charge_row(cb, second.id)).amount_refunded == 25_00

    # Nothing left to refund: said privately, with the usage.
    reply = await cb.slack_sender.command("/refund", "", user_id=OPERATOR)
    answer = await private_answer(cb, str(reply.response_key))
    assert "no succeeded charge with anything left to refund" in answer and "Usage" in answer
