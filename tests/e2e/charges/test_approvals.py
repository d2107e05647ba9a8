"""Charges above APPROVAL_THRESHOLD wait for a second operator's Approve or Reject."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Approval, AuditEntry
from tests.e2e.charges.test_charge import VENDOR
from tests.e2e.scenario import (
    assert_db_matches_stripe,
    charge_through_modal,
    charges_in_db,
    connected_vendor,
    customer_with_card,
    deauthorized_in_stripe,
    intent_creates,
    open_charge_modal,
    submit,
)
from tests.harness import OPERATOR, OPERATOR_2, OPS_CHANNEL, Connectbot, running_connectbot


@pytest.fixture
async def cb(database_url: str) -> AsyncIterator[Connectbot]:
    async with running_connectbot(database_url, approval_threshold=50000) as running:
        yield running


async def request_approval(cb: Connectbot, amount: str = "600") -> tuple[str, dict[str, Any]]:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}> {amount} jane@example.com", user=OPERATOR)
    assert "second operator" in str(view["blocks"])
    account = vendor.stripe_account_id
    # The modal and the request link the vendor's account to its Connect page (test form).
    link = f"<https://dashboard.stripe.com/test/connect/accounts/{account}|{account}>"
    assert f"*Vendor:* <@{VENDOR}> ({link})" in view["blocks"][0]["text"]["text"]
    await submit(cb, view)

    async def request() -> list[dict[str, Any]]:
        return [m for m in await cb.slack.messages(OPS_CHANNEL) if "Approval needed" in m["text"]]

    [message] = await cb.until(request, what="the approval request")
    [row] = await charges_in_db(cb)
    context = message["blocks"][1]["elements"][0]["text"]
    assert context.endswith(f"must approve. `{row.id}` · vendor account {link}"), context
    return account, message


async def click(cb: Connectbot, action: str, message: dict[str, Any], user: str) -> Any:
    return await cb.slack_sender.block_action(
        action, user_id=user, message=message, channel_id=OPS_CHANNEL
    )


async def test_self_approval_is_refused_and_a_second_operator_approves(cb: Connectbot) -> None:
    account, message = await request_approval(cb)
    [row] = await charges_in_db(cb)
    assert row.status == "awaiting_approval" and await intent_creates(cb) == []

    mine = await click(cb, "charge_approve", message, OPERATOR)
    [answer] = await cb.until(lambda: cb.slack.responses(mine.response_key), what="refusal")
    assert "can't approve" in answer["text"] and answer.get("response_type") == "ephemeral"
    outsider = await click(cb, "charge_approve", message, "U0SOMEONE")
    [answer] = await cb.until(lambda: cb.slack.responses(outsider.response_key))
    assert "Only connectbot operators" in answer["text"]
    assert [c.status for c in await charges_in_db(cb)] == ["awaiting_approval"]

    # Two clicks at once: one decision, one charge.
    await asyncio.gather(
        click(cb, "charge_approve", message, OPERATOR_2),
        click(cb, "charge_approve", message, OPERATOR_2),
    )

    async def charged() -> bool:
        return [c.status for c in await charges_in_db(cb)] == ["succeeded"]

    await cb.until(charged, what="the approved charge")
    [row] = await charges_in_db(cb)
    assert row.approved_by == OPERATOR_2 and row.amount == 60000
    assert len(await intent_creates(cb)) == 1
    updates = await cb.until(lambda: cb.posted("chat.update"), what="the request updated")
    assert f"Approved by <@{OPERATOR_2}>" in updates[0]["params"]["text"]
    assert updates[0]["params"]["ts"] == message["ts"]
    async with cb.sessions() as session:
        approval = await session.scalar(select(Approval))
        audit = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action.like("charge.approve"))
            )
        ).all()
    assert approval is not None and (approval.status, approval.decided_by) == (
        "approved",
        OPERATOR_2,
    )
    assert sorted(a.outcome for a in audit) == ["approved", "refused", "refused"]
    await assert_db_matches_stripe(cb, account)


async def test_reject_closes_the_charge_without_calling_stripe(cb: Connectbot) -> None:
    account, message = await request_approval(cb)
    await click(cb, "charge_reject", message, OPERATOR_2)
    updates = await cb.until(lambda: cb.posted("chat.update"), what="the request updated")
    assert f"Rejected by <@{OPERATOR_2}>" in updates[0]["params"]["text"]
    assert [c.status for c in await charges_in_db(cb)] == ["rejected"]
    late = await click(cb, "charge_approve", message, OPERATOR_2)
    [answer] = await cb.until(lambda: cb.slack.responses(late.response_key))
    assert "already rejected" in answer["text"]
    assert await intent_creates(cb) == []
    await assert_db_matches_stripe(cb, account)


async def test_approving_a_charge_whose_vendor_left_meanwhile_sends_nothing(
    cb: Connectbot,
) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    # A first charge shares the customer with the vendor, so the next request is complete at
    # submission and stored with the row, to be sent as it is once approved.
    first = await charge_through_modal(cb, f"<@{VENDOR}> 10 jane@example.com", user=OPERATOR)
    assert first.status == "succeeded"
    view = await open_charge_modal(cb, f"<@{VENDOR}> 600 jane@example.com", user=OPERATOR)
    await submit(cb, view)

    async def request() -> list[dict[str, Any]]:
        return [m for m in await cb.slack.messages(OPS_CHANNEL) if "Approval needed" in m["text"]]

    [message] = await cb.until(request, what="the approval request")
    [waiting] = [c for c in await charges_in_db(cb) if c.status == "awaiting_approval"]
    assert waiting.request_params  # stored at submission
    await deauthorized_in_stripe(cb, vendor.stripe_account_id)  # the vendor leaves meanwhile

    await click(cb, "charge_approve", message, OPERATOR_2)

    async def failed() -> list[Any]:
        return [c for c in await charges_in_db(cb) if c.status == "failed"]

    [row] = await cb.until(failed, what="the charge recorded as not sent")
    assert row.id == waiting.id and row.failure_code == "not_sent"
    assert "disconnected" in str(row.failure_message)
    assert row.approved_by == OPERATOR_2 and row.payment_intent_id is None
    # The stored request never reached Stripe: the only PaymentIntent is the first charge's.
    assert len(await intent_creates(cb)) == 1

    async def told() -> list[str]:  # the requester, privately (response URL, else a DM)
        said = [str(r.get("text")) for r in await cb.slack.responses("")]
        said += [str(c["params"].get("text")) for c in await cb.posted("chat.postMessage")]
        return [t for t in said if "could not be made" in t]

    [note] = await cb.until(told, what="the requester told why")
    assert "$600.00" in note and "account is disconnected" in note
    await cb.settled()
    assert len(await told()) == 1


async def test_below_the_threshold_no_approval_is_needed(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}> 500 jane@example.com", user=OPERATOR)
    await submit(cb, view)

    async def charged() -> bool:
        return [c.status for c in await charges_in_db(cb)] == ["succeeded"]

    await cb.until(charged, what="the charge")
    await assert_db_matches_stripe(cb, vendor.stripe_account_id)
